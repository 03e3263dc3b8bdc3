"""Understanding: the port, its result types, and the offline and LLM adapters."""

from agents.understanding.model import (
    CatalogMatch,
    Choice,
    ChoiceKind,
    DateMention,
    DayPart,
    DialogueContext,
    Entities,
    IntentScore,
    MoneyMention,
    QuantityMention,
    Repair,
    Understanding,
)
from agents.understanding.port import Understander

__all__ = [
    "CatalogMatch",
    "Choice",
    "ChoiceKind",
    "DateMention",
    "DayPart",
    "DialogueContext",
    "Entities",
    "IntentScore",
    "MoneyMention",
    "QuantityMention",
    "Repair",
    "Understander",
    "Understanding",
]
