"""The ``expect:`` part of the eval suite format: what must hold after a step."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, NonNegativeInt

from tools.intents import Intent

PORTS = ("crm", "calendar", "billing", "orders", "tickets", "tasks", "notifications", "conversations")
"""The business-system ports whose write calls are recorded as tool calls."""
AGENTS = (
    "sales",
    "booking",
    "quoting",
    "support",
    "internal",
    "smalltalk",
    "unknown",
    "human",
    "optout",
    "escalation",
    "guardrails",
    "billing",
    "staff",
)
"""Who a reply can come from: the specialists, the guardrails, payments and staff."""

ToolName = Annotated[str, Field(pattern=rf"^({'|'.join((*PORTS, 'knowledge'))})\.[a-z_]+$")]
"""``port.method``, e.g. ``calendar.book``."""


def _known_agent(value: str) -> str:
    if value not in AGENTS:
        raise ValueError(f"must be one of: {', '.join(AGENTS)}")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression ({error})") from None
    return value


class Strict(BaseModel):
    """A part of the format: unknown keys are errors; numbers are accepted where text is expected (`say: 2`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class ButtonsExpect(Strict):
    """The buttons of the last reply that has any."""

    count: NonNegativeInt | None = None
    """How many buttons."""
    contains: list[str] = Field(default_factory=list)
    """Labels that must be among them (case-insensitive)."""
    equals: list[str] | None = None
    """The exact labels, in order."""


class ToolExpect(Strict):
    """A write call the step must have made."""

    name: ToolName
    """``port.method``: crm, calendar, billing, orders, tickets, tasks, notifications, conversations, or
    ``knowledge.answer`` (a question put to the knowledge base)."""
    args: dict[str, JsonValue] = Field(default_factory=dict)
    """A subset of the call's arguments (dataclass arguments flattened into their fields)."""


class RecordsExpect(Strict):
    """Records of one kind in the stores."""

    count: NonNegativeInt | None = None
    """How many records match `where` (all records without `where`); without `count`, at least one."""
    where: dict[str, JsonValue] = Field(default_factory=dict)
    """A subset match on the record's fields."""


class RecordsByKind(Strict):
    """Expectations on the stores, by record kind."""

    contacts: RecordsExpect | None = None
    leads: RecordsExpect | None = None
    bookings: RecordsExpect | None = None
    quotes: RecordsExpect | None = None
    invoices: RecordsExpect | None = None
    payments: RecordsExpect | None = None
    orders: RecordsExpect | None = None
    tickets: RecordsExpect | None = None
    tasks: RecordsExpect | None = None
    notifications: RecordsExpect | None = None
    approvals: RecordsExpect | None = None
    consents: RecordsExpect | None = None


class QuantityExpect(Strict):
    """A number with a unit."""

    value: Decimal
    unit: str


class EntitiesExpect(Strict):
    """A subset of what understanding extracted; a key written as ``null`` expects nothing found."""

    catalog: list[str] | None = None
    """Service, product or region ids."""
    dates: list[date] | None = None
    """Days mentioned (ISO)."""
    times: list[str] | None = None
    """Exact times mentioned, ``HH:MM``."""
    phone: str | None = None
    """E.164, e.g. ``+79161234567``."""
    email: str | None = None
    money: list[Decimal] | None = None
    """Amounts mentioned."""
    quantities: list[QuantityExpect] | None = None
    order_id: str | None = None
    name: str | None = None


class ProactiveExpect(Strict):
    """Messages the business started this step (after a payment, a staff reply)."""

    count: NonNegativeInt | None = None
    contains: list[str] = Field(default_factory=list)


class Expect(Strict):
    """What must hold after a step. Every key is optional."""

    agent: Annotated[str, AfterValidator(_known_agent)] | None = None
    """The agent of the last reply."""
    intent: Intent | None = None
    """The understood intent of the customer's message."""
    entities: EntitiesExpect | None = None
    slots: dict[str, JsonValue] = Field(default_factory=dict)
    """A subset of the active specialist's slots (and the shared ones)."""
    reply_contains: list[str] = Field(default_factory=list)
    reply_matches: list[Annotated[str, AfterValidator(_regex)]] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)
    buttons: ButtonsExpect | None = None
    tools: list[ToolExpect] = Field(default_factory=list)
    no_tools: list[ToolName] = Field(default_factory=list)
    records: RecordsByKind | None = None
    approval: bool | None = None
    """Whether an approval was raised this step."""
    handoff: bool | None = None
    """Whether staff own the conversation after the step."""
    language: Literal["en", "ru"] | None = None
    """The detected language of the replies."""
    silent: bool | None = None
    """Whether no reply was released this step."""
    proactive: ProactiveExpect | None = None
