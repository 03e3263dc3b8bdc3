"""Conversations, their transcript, staff ownership and approvals.

The transcript lives here, not in graph checkpoints: checkpoints keep only the
live dialogue. Inbound messages are unique per (channel, provider id), so a
redelivered webhook is recognised; outbound messages are unique per
(inbound message, position), so one inbound message gets one reply, however
often its turn is retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import ContactId

ConversationId = str
"""``{channel}:{external chat id}``."""


class Owner(StrEnum):
    """Who answers the customer."""

    BOT = "bot"
    STAFF = "staff"


class Direction(StrEnum):
    """Which way a message went."""

    IN = "in"
    OUT = "out"


class ApprovalStatus(StrEnum):
    """The state of a paused action."""

    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DialoguePrompt:
    """What a message the business started asked, so the customer's next message is read as its answer.

    A reminder asks "confirm or reschedule?"; the answer goes to `agent`, with `slots` as that
    agent's slots, as if the agent had asked for `expecting` itself (offering `offered`).
    """

    agent: str
    expecting: str
    slots: Mapping[str, str] = field(default_factory=dict)
    offered: tuple[str, ...] = ()
    message_id: str = ""
    """The message that asked (set when it is recorded); a prompt is applied once."""
    question: str = ""
    """That message's text (set when it is recorded)."""
    buttons: tuple[str, ...] = ()
    """That message's buttons (set when it is recorded)."""


@dataclass(frozen=True)
class Conversation:
    """One customer's thread on one channel."""

    id: ConversationId
    channel: str
    external_id: str
    contact_id: ContactId
    language: str | None
    owner: Owner
    owner_staff: str | None
    active_agent: str | None
    awaiting_approval: bool
    closed: bool
    created_at: datetime
    last_message_at: datetime | None
    prompt: DialoguePrompt | None = None
    """What the latest message the business started asked, if it asked something."""


@dataclass(frozen=True)
class Message:
    """One message of a transcript."""

    id: str
    conversation_id: ConversationId
    direction: Direction
    text: str
    created_at: datetime
    provider_id: str | None = None
    """The channel's id of an inbound message (dedup key)."""
    reply_to: str | None = None
    """The inbound message an outbound one answers."""
    seq: int = 0
    agent: str | None = None
    intent: str | None = None
    author: str = "bot"
    """``customer``, ``bot`` or ``staff:ID``."""
    buttons: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    """What the agent did this turn, for staff ("booking bk_… created")."""


@dataclass(frozen=True)
class NewReply:
    """An outbound message to record before it is sent."""

    text: str
    buttons: tuple[str, ...] = ()
    agent: str | None = None
    intent: str | None = None
    actions: tuple[str, ...] = ()
    author: str = "bot"


@dataclass(frozen=True)
class Approval:
    """An action paused for staff."""

    id: str
    conversation_id: ConversationId
    kind: str
    """``quote``, ``discount``, ``refund``, ``escalation``, ``non_standard``."""
    summary: str
    proposal: Mapping[str, str]
    status: ApprovalStatus
    created_at: datetime
    decided_by: str | None = None
    decision_note: str | None = None
    decided_at: datetime | None = None
    changes: Mapping[str, str] = field(default_factory=dict)
    """What staff changed when editing."""


class ConversationStore(Protocol):
    """Conversations, transcripts and approvals."""

    async def open_conversation(
        self, channel: str, external_id: str, contact_id: ContactId, *, language: str | None = None
    ) -> Conversation:
        """Return the conversation for a channel chat, creating it if new."""
        ...

    async def get_conversation(self, conversation_id: ConversationId) -> Conversation:
        """Return a conversation (NotFound if none)."""
        ...

    async def list_conversations(self, *, limit: int = 100) -> list[Conversation]:
        """Conversations, most recent activity first."""
        ...

    async def update_conversation(
        self,
        conversation_id: ConversationId,
        *,
        language: str | None = None,
        active_agent: str | None = None,
        awaiting_approval: bool | None = None,
        closed: bool | None = None,
    ) -> Conversation:
        """Change what the console shows about a conversation."""
        ...

    async def set_owner(
        self, conversation_id: ConversationId, owner: Owner, *, staff_id: str | None, actor: str
    ) -> Conversation:
        """Hand the conversation to staff or back to the bot."""
        ...

    async def record_inbound(
        self, conversation_id: ConversationId, text: str, *, provider_id: str, at: datetime
    ) -> tuple[Message, bool]:
        """Store an inbound message; the flag is False when it was already stored (a redelivery)."""
        ...

    async def record_reply(
        self, conversation_id: ConversationId, reply: NewReply, *, reply_to: str, seq: int
    ) -> Message:
        """Store an outbound message answering `reply_to` at position `seq` (the same one on a retry)."""
        ...

    async def finish_turn(
        self,
        conversation_id: ConversationId,
        replies: Sequence[NewReply],
        *,
        reply_to: str,
        first_seq: int = 0,
        language: str | None = None,
        active_agent: str | None = None,
        awaiting_approval: bool | None = None,
    ) -> tuple[Conversation, list[Message]]:
        """Store a turn's replies (once per position) and the conversation's new state, in one transaction."""
        ...

    async def record_proactive(
        self,
        conversation_id: ConversationId,
        reply: NewReply,
        *,
        key: str,
        prompt: DialoguePrompt | None = None,
    ) -> Message:
        """Store a message the business starts (after a payment, a reminder); once per `key`.

        It becomes the conversation's prompt: what the customer's next message answers
        (`prompt`), or nothing in particular (None clears an earlier one).
        """
        ...

    async def proactive_count(self, *, since: datetime, contact_id: ContactId | None = None) -> int:
        """Messages the business started (reminders, follow-ups, notices) since `since`, to one customer or all."""
        ...

    async def latest_for_contact(self, contact_id: ContactId) -> Conversation | None:
        """The contact's conversation with the most recent activity."""
        ...

    async def replies_to(self, message_id: str) -> list[Message]:
        """The outbound messages answering an inbound one, in order."""
        ...

    async def get_message(self, message_id: str) -> Message:
        """One message of a transcript (NotFound if none)."""
        ...

    async def transcript(self, conversation_id: ConversationId, *, limit: int | None = None) -> list[Message]:
        """Messages, oldest first (the last `limit` when given)."""
        ...

    async def create_approval(
        self,
        conversation_id: ConversationId,
        *,
        kind: str,
        summary: str,
        proposal: Mapping[str, str],
        key: str,
    ) -> Approval:
        """Record an action waiting for staff (the same record for the same key)."""
        ...

    async def decide_approval(
        self,
        approval_id: str,
        status: ApprovalStatus,
        *,
        decided_by: str,
        note: str | None = None,
        changes: Mapping[str, str] | None = None,
    ) -> Approval:
        """Record staff's decision (Conflict if already decided)."""
        ...

    async def get_approval(self, approval_id: str) -> Approval:
        """Return an approval (NotFound if none)."""
        ...

    async def list_approvals(
        self, *, status: ApprovalStatus | None = None, conversation_id: ConversationId | None = None
    ) -> list[Approval]:
        """Approvals (of one conversation when given), oldest first."""
        ...
