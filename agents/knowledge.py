"""The knowledge base as the agents see it: a question in, a grounded answer with its source out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class KnowledgeAnswer:
    """An answer taken from the business's own documents."""

    text: str
    """The answer: the passage trimmed to what answers the question, or an answer written only from it."""
    source: str
    """Where it comes from, for the customer: "Returns and refunds › Online orders"."""
    document: str
    """The document's id (its path in the knowledge base)."""
    confidence: float
    """How sure retrieval is, 0..1 (above the knowledge base's threshold, or there is no answer)."""


class KnowledgeAnswerer(Protocol):
    """Answers questions from the knowledge base, or says nothing when it isn't sure."""

    async def answer(self, question: str, *, language: str) -> KnowledgeAnswer | None:
        """The grounded answer in `language`, or None when the documents don't clearly say."""
        ...
