"""Eval dialogues as the engine uses them: frozen dataclasses built from a validated suite file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeAlias

Json: TypeAlias = "str | int | float | bool | None | list[Json] | dict[str, Json]"
"""A JSON-like value: what `where`, `args` and `slots` expectations and recorded values hold."""

RepeatPolicy = Literal["all", "majority"]


@dataclass(frozen=True)
class Buttons:
    """Expected buttons of the last reply that has any."""

    count: int | None = None
    contains: tuple[str, ...] = ()
    equals: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ToolCallExpectation:
    """A write call that must have been made; `args` is a subset of its flattened arguments."""

    name: str
    args: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordsExpectation:
    """Records of one kind: `count` of them match `where` (at least one when `count` is None)."""

    kind: str
    count: int | None = None
    where: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class Proactive:
    """Messages the business started this step."""

    count: int | None = None
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expectation:
    """What must hold after one step; None (or empty) means not checked."""

    agent: str | None = None
    intent: str | None = None
    entities: Mapping[str, Json] = field(default_factory=dict)
    slots: Mapping[str, Json] = field(default_factory=dict)
    reply_contains: tuple[str, ...] = ()
    reply_matches: tuple[str, ...] = ()
    reply_not_contains: tuple[str, ...] = ()
    buttons: Buttons | None = None
    tools: tuple[ToolCallExpectation, ...] = ()
    no_tools: tuple[str, ...] = ()
    records: tuple[RecordsExpectation, ...] = ()
    approval: bool | None = None
    handoff: bool | None = None
    language: str | None = None
    silent: bool | None = None
    proactive: Proactive | None = None


@dataclass(frozen=True)
class Say:
    """A customer message."""

    text: str
    expect: Expectation = Expectation()


@dataclass(frozen=True)
class StaffAct:
    """Staff decide the latest pending approval, take over, hand back or write."""

    action: str
    by: str = "staff:eval"
    note: str | None = None
    changes: Mapping[str, str] = field(default_factory=dict)
    text: str | None = None
    expect: Expectation = Expectation()


@dataclass(frozen=True)
class Event:
    """Something outside the chat: ``payment`` pays the latest open invoice; ``ticket`` moves the latest ticket on."""

    type: str
    expect: Expectation = Expectation()
    status: str | None = None
    assignee: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Advance:
    """The frozen clock moves on."""

    delta: timedelta
    expect: Expectation = Expectation()


Step = Say | StaffAct | Event | Advance


@dataclass(frozen=True)
class SeedContact:
    """A contact to create before the dialogue."""

    ref: str
    channel: str
    external_id: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    phone_verified: bool = False
    email_verified: bool = False
    language: str | None = None
    tags: tuple[str, ...] = ()
    opted_out: bool = False


@dataclass(frozen=True)
class SeedItem:
    """An order line; the price is in major units."""

    product_id: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class SeedOrder:
    """An order to create, moved up to `status`."""

    number: str
    contact: str
    items: tuple[SeedItem, ...]
    status: str
    email: str | None
    phone: str | None
    delivery: Mapping[str, str | None]


@dataclass(frozen=True)
class SeedBooking:
    """A booking to create; `start` may be naive (the business's time zone)."""

    contact: str | None
    service: str
    staff: str | None
    start: datetime
    status: str = "confirmed"
    fields: Mapping[str, str] = field(default_factory=dict)
    minutes: int | None = None
    """For busy time: how long it is taken."""


@dataclass(frozen=True)
class Setup:
    """Data seeded before the first step; `busy` bookings belong to a placeholder contact."""

    contacts: tuple[SeedContact, ...] = ()
    orders: tuple[SeedOrder, ...] = ()
    bookings: tuple[SeedBooking, ...] = ()
    busy: tuple[SeedBooking, ...] = ()
    knowledge: tuple[str, ...] = ()


@dataclass(frozen=True)
class Simulation:
    """A simulated customer plays the dialogue."""

    persona: str
    goal: str
    max_turns: int = 12


@dataclass(frozen=True)
class Final:
    """What must hold at the end."""

    records: tuple[RecordsExpectation, ...] = ()
    tools: tuple[ToolCallExpectation, ...] = ()
    no_tools: tuple[str, ...] = ()
    handoff: bool | None = None


@dataclass(frozen=True)
class Dialogue:
    """One conversation to run and grade."""

    id: str
    suite: str
    source: str
    """The file it came from."""
    prefix: str
    """Where it stands in the file (``dialogues[3]``, or empty for a one-dialogue file)."""
    playbook: Path
    start: datetime
    """Naive means the business's time zone."""
    title: str = ""
    tags: tuple[str, ...] = ()
    channel: str = "telegram"
    language: str = "unknown"
    customer: str = ""
    setup: Setup = Setup()
    steps: tuple[Step, ...] = ()
    simulate: Simulation | None = None
    final: Final = Final()
    repeat_policy: RepeatPolicy = "all"
    lines: Mapping[str, int] = field(default_factory=dict)
    """The file line of each part, by its path inside the dialogue (``steps[2].expect.buttons``)."""

    def line(self, path: str) -> int | None:
        """The line of `path`, or of its nearest enclosing part that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.lines.get("")
