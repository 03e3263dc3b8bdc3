"""What every specialist shares: the turn it sees and the outcome it returns.

A specialist is deterministic policy over the playbook. It reads the
understanding of the customer's message and its own slots, calls business
tools (every write keyed by the inbound message, so a retried turn writes
nothing twice) and returns replies. It never acts on free text alone, and it
never writes before a pause for staff: it asks for approval and acts on resume.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from agents.context import RunDeps
from agents.understanding import Understanding
from tools.ids import ContactId

HANDED_TO_STAFF = "conversation handed to staff"
"""The action of a turn that itself handed the conversation to staff: its replies still go out."""


def announces_handover(agent: str | None, actions: tuple[str, ...] | list[str]) -> bool:
    """Whether a bot message is the one telling the customer a person takes over (sent although staff own it)."""
    return agent == "human" or HANDED_TO_STAFF in actions


@dataclass(frozen=True)
class Reply:
    """One message to the customer."""

    text: str
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApprovalRequest:
    """An action that waits for staff."""

    kind: str
    """``quote``, ``discount``, ``refund``, ``escalation``, ``non_standard``."""
    summary: str
    """What staff read first."""
    proposal: Mapping[str, str]
    """The numbers staff may edit (amount, text…)."""


@dataclass(frozen=True)
class Decision:
    """Staff's answer to an approval."""

    action: str
    """``approve``, ``edit`` or ``reject``."""
    by: str
    note: str | None = None
    changes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """What a specialist sees of one customer message."""

    meaning: Understanding
    slots: Mapping[str, str]
    """This specialist's slots so far."""
    shared: Mapping[str, str]
    """Slots every specialist shares (name, phone, email)."""
    expecting: str | None
    """What the last question asked for."""
    offered: tuple[str, ...]
    """What the last reply offered (ISO times, package ids…)."""
    language: str
    conversation_id: str
    contact_id: ContactId
    channel: str
    message_id: str
    """The inbound message: the base of every idempotency key this turn."""
    deps: RunDeps
    digression: bool = False
    """The customer asked this in the middle of another flow: answer briefly; that flow resumes."""

    def key(self, action: str) -> str:
        """An idempotency key for `action` in this turn."""
        return f"{self.message_id}:{action}"


@dataclass
class Outcome:
    """What a specialist decided this turn."""

    replies: list[Reply] = field(default_factory=list)
    slots: dict[str, str] = field(default_factory=dict)
    """The specialist's slots after this turn (replaces the old ones)."""
    shared: dict[str, str] = field(default_factory=dict)
    """Shared slots learned this turn (merged)."""
    expecting: str | None = None
    offered: tuple[str, ...] = ()
    done: bool = False
    """The flow finished: the specialist is no longer active."""
    approval: ApprovalRequest | None = None
    actions: list[str] = field(default_factory=list)
    """What was done, for staff: "booking bk_… created"."""
    handoff: str | None = None
    """A reason to hand the conversation to a person."""
    transfer: str | None = None
    """Hand the turn to this specialist (once per turn), e.g. sales → booking after "yes, book me"."""

    def say(self, text: str, *buttons: str) -> Outcome:
        """Add a reply."""
        self.replies.append(Reply(text, tuple(buttons)))
        return self

    def expect(self, slot: str, offered: tuple[str, ...] = ()) -> Outcome:
        """Record what the last question asked for (and what it offered)."""
        self.expecting = slot
        self.offered = offered
        return self


class Specialist(Protocol):
    """A specialist agent."""

    name: str

    async def handle(self, turn: Turn) -> Outcome:
        """Answer one customer message."""
        ...

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Act on staff's decision about an approval this specialist asked for."""
        ...
