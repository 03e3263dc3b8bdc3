"""What understanding returns: the structured meaning of one customer message.

Both adapters (offline and LLM) return these types; agent policy reads only
them, never the raw text, to decide what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from tools.intents import Agent, Intent


class DayPart(StrEnum):
    """A vague time of day ("утром", "after lunch")."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


@dataclass(frozen=True)
class DateMention:
    """A date or time the customer mentioned, resolved against the current moment in the business time zone.

    Either a concrete `day` (with an optional `at` time or a `day_part`), a span of days
    (`day` .. `until` for "this weekend", "next week"), or only a time ("at 3pm").
    """

    text: str
    """The words it came from."""
    day: date | None = None
    until: date | None = None
    """The last day of a span (inclusive)."""
    at: time | None = None
    day_part: DayPart | None = None
    after: time | None = None
    """"after 17:00", "после обеда" (lower bound)."""
    before: time | None = None
    """"before noon", "до 12" (upper bound)."""


@dataclass(frozen=True)
class MoneyMention:
    """An amount or bound of money ("300к", "$5k", "до 2 млн")."""

    text: str
    amount: Decimal
    currency: str | None = None
    """ISO code when stated (RUB, USD, EUR); None when only a number."""
    bound: str | None = None
    """"max" for "до / up to / under", "min" for "от / from / over"."""


@dataclass(frozen=True)
class QuantityMention:
    """A number with a unit: area, rooms, items."""

    text: str
    value: Decimal
    unit: str
    """``m2``, ``rooms``, ``items``, ``people``, ``days``, ``weeks``, ``months``…"""


@dataclass(frozen=True)
class CatalogMatch:
    """A service, product or region the message refers to, matched fuzzily to the playbook."""

    id: str
    kind: str
    """``service``, ``product`` or ``region``."""
    text: str
    score: float


class ChoiceKind(StrEnum):
    """How the customer picked among offered options."""

    ORDINAL = "ordinal"
    """"the second one", "второй вариант", "2"."""
    TIME = "time"
    """"the 3pm one", "в 15:00"."""
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Choice:
    """A pick among the options just offered, or a yes / no."""

    kind: ChoiceKind
    index: int | None = None
    """0-based position for ORDINAL (-1 for "the last one")."""
    at: time | None = None
    """For TIME."""


class Repair(StrEnum):
    """A conversation-repair command."""

    CORRECT = "correct"
    """"actually Friday", "не 5, а 6"."""
    CANCEL = "cancel"
    """"never mind", "передумал"."""
    SKIP = "skip"
    """"skip", "не знаю", "пропустить"."""
    HUMAN = "human"
    """"HUMAN", "оператор", "live agent"."""
    OPT_OUT = "opt_out"
    """"stop", "отпишите меня"."""


@dataclass(frozen=True)
class Entities:
    """Everything extracted from one message."""

    dates: tuple[DateMention, ...] = ()
    money: tuple[MoneyMention, ...] = ()
    quantities: tuple[QuantityMention, ...] = ()
    phone: str | None = None
    """E.164 (``+79161234567``); None when no valid phone."""
    phone_text: str | None = None
    """What looked like a phone but did not parse (to ask again)."""
    email: str | None = None
    order_id: str | None = None
    name: str | None = None
    catalog: tuple[CatalogMatch, ...] = ()
    choice: Choice | None = None
    durations_minutes: tuple[int, ...] = ()
    """Durations mentioned ("на час", "90 minutes")."""


@dataclass(frozen=True)
class IntentScore:
    """One candidate intent with its score."""

    intent: Intent
    score: float


@dataclass(frozen=True)
class Understanding:
    """The meaning of one customer message."""

    text: str
    language: str
    """``en`` or ``ru``: the language of this message (the conversation pins its own)."""
    intent: Intent
    confidence: float
    """0..1 for the top intent."""
    alternatives: tuple[IntentScore, ...] = ()
    """The next likeliest intents, best first (for clarification)."""
    extra_intents: tuple[Intent, ...] = ()
    """Other intents also clearly present ("book, and how much is it?")."""
    entities: Entities = field(default_factory=Entities)
    negative: bool = False
    """Angry or upset."""
    repair: Repair | None = None
    source: str = "offline"
    """Which adapter produced it (``offline``, ``llm``, ``llm-fallback``)."""
    llm_tokens: int = 0
    """Tokens the LLM used for it (0 offline)."""

    @property
    def agent(self) -> Agent:
        """The specialist the top intent routes to."""
        from tools.intents import agent_for

        return agent_for(self.intent)


@dataclass(frozen=True)
class DialogueContext:
    """What the understanding may know about the conversation so far."""

    now: datetime
    """The current moment (aware)."""
    language: str | None = None
    """The conversation's pinned language, if any."""
    expecting: str | None = None
    """The slot the last question asked for (``phone``, ``date``, ``budget``, ``choice``…)."""
    offered_times: tuple[datetime, ...] = ()
    """Times offered in the last reply, for "the 3pm one"."""
    active_agent: str | None = None
    recent_customer_texts: tuple[str, ...] = ()
    """The customer's last few messages, newest last (to notice repetition)."""
