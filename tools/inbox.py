"""The durable inbox and outbox: nothing a customer sends is lost, nothing is answered twice.

Every verified inbound event is stored once per (channel, provider id) before the provider is
answered. Workers claim a conversation (a lease: one worker per conversation at a time, so its
turns run strictly in order) together with all its pending events, process them, and complete
them. A lease that runs out (a worker died) lets another worker claim the same events again;
the turn itself is idempotent by provider id, so it is processed exactly once.

Each recorded reply gets a delivery: sent, retried with backoff, or dead-lettered for staff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.conversations import Owner


class InboxStatus(StrEnum):
    """Where an inbound event stands."""

    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    DEAD = "dead"
    """Failed too often; shown to staff, never retried by itself."""


class DeliveryStatus(StrEnum):
    """Where an outbound message's delivery stands."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    """Gave up after retries (or a permanent error): staff see it."""
    WITHHELD = "withheld"
    """Not sent: by the time of sending, someone else owned the conversation (staff, or the bot again)."""


@dataclass(frozen=True)
class NewInboxEvent:
    """A verified inbound event from a channel."""

    channel: str
    provider_id: str
    """The provider's unique id of the message or event (the dedup key)."""
    chat_id: str
    """The conversation on that channel."""
    sender_id: str
    text: str
    received_at: datetime
    kind: str = "text"
    """``text``, ``button``, ``non_text``, ``comment``…"""
    sender_name: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    """Channel details the reply needs (a callback id, a comment id, a verified phone)."""

    @property
    def conversation_key(self) -> str:
        """``channel:chat id``, the conversation's id."""
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True)
class InboxEvent:
    """A stored inbound event."""

    id: str
    channel: str
    provider_id: str
    chat_id: str
    conversation_key: str
    sender_id: str
    sender_name: str | None
    text: str
    kind: str
    extra: Mapping[str, str]
    received_at: datetime
    status: InboxStatus
    attempts: int
    lease_owner: str | None
    error: str | None
    batch: str | None
    """The turn this event was first taken into (kept if that worker dies, so the turn is the same)."""


@dataclass(frozen=True)
class Claim:
    """A conversation leased to one worker, with its pending events in arrival order: one turn."""

    conversation_key: str
    owner: str
    until: datetime
    events: tuple[InboxEvent, ...]
    batch: str
    """The turn's id: the same when a dead worker's turn is claimed again, so it runs once."""


@dataclass(frozen=True)
class Delivery:
    """One outbound message's delivery to its channel."""

    id: str
    message_id: str
    conversation_id: str
    channel: str
    chat_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    provider_message_id: str | None
    last_error: str | None
    created_at: datetime
    parts_sent: int = 0
    """Parts of a split message the provider already accepted; a retry sends only the rest."""
    details: Mapping[str, str] = field(default_factory=dict)
    """What the channel needs to send it: ``comment_id`` (a private reply), ``callback_query_ids``
    (Telegram presses to acknowledge), ``phone``, ``whatsapp_template`` (the playbook template's
    purpose for sends outside WhatsApp's 24-hour window) and its ``template:NAME`` values."""
    provider_status: str | None = None
    """The provider's latest report on it: ``sent``, ``delivered``, ``read`` or ``failed``."""


@dataclass(frozen=True)
class NewDelivery:
    """A recorded reply to queue for sending on its channel."""

    message_id: str
    conversation_id: str
    channel: str
    chat_id: str
    details: Mapping[str, str] = field(default_factory=dict)
    """What the channel needs to send it (see `Delivery.details`)."""


@dataclass(frozen=True)
class Completion:
    """What completing a turn left: the deliveries its worker sends at once, and news that came meanwhile."""

    taken: tuple[Delivery, ...]
    """New deliveries leased to the completing worker to send now, in order. When there are any the
    conversation's lease is kept: the worker releases it after sending (`release_conversation`), so
    the conversation's next turn cannot overtake these replies."""
    conversation_owner: Owner | None
    """Who owned the conversation as the turn completed, read in the same transaction (None: no such conversation)."""
    last_open_at: datetime | None
    """When the conversation's newest open event arrived (one that came during the turn); None when none is open."""


class InboxStore(Protocol):
    """The durable inbox and outbox."""

    async def accept(self, event: NewInboxEvent) -> tuple[InboxEvent, bool]:
        """Store an event; the flag is False for a redelivery (same channel and provider id)."""
        ...

    async def claim(
        self, owner: str, *, lease_s: float, burst_s: float = 0.0, conversation_key: str | None = None
    ) -> Claim | None:
        """Lease the conversation whose oldest pending event is oldest, and take its pending events.

        Conversations leased to another worker are skipped until the lease runs out. With
        `burst_s`, a conversation whose newest event is younger than that is left for later, so a
        burst of messages becomes one turn. With `conversation_key`, only that conversation is
        considered (a worker told by the turn queue which conversation has news).
        """
        ...

    async def last_open_at(self, conversation_key: str) -> datetime | None:
        """When the conversation's newest open (pending or processing) event arrived; None when none is open."""
        ...

    async def complete(
        self,
        claim: Claim,
        processed: Sequence[str],
        *,
        error: str | None = None,
        deliveries: Sequence[NewDelivery] = (),
        keep_to_send_s: float | None = None,
    ) -> Completion:
        """Mark the `processed` event ids done (or, with `error`, failed: retried, then dead) and release the lease.

        The turn's `deliveries` are queued in the same transaction (once per message). With
        `keep_to_send_s`, the new ones are held by the claim's owner to send at once
        (`Completion.taken`, held until the claim's lease ends) and the conversation's lease is kept
        for that — unless earlier deliveries of the conversation are still waiting (the outbox
        sends them first, in order), or less than `keep_to_send_s` of the lease is left: a turn
        that ran into its lease's end leaves its replies to the outbox, since another worker may
        take them, and the conversation, any moment.
        """
        ...

    async def events(
        self, *, status: InboxStatus | None = None, conversation_key: str | None = None
    ) -> list[InboxEvent]:
        """Events matching every filter given, oldest first."""
        ...

    async def enqueue_delivery(
        self,
        *,
        message_id: str,
        conversation_id: str,
        channel: str,
        chat_id: str,
        details: Mapping[str, str] | None = None,
    ) -> Delivery:
        """The delivery of a recorded reply (once per message)."""
        ...

    async def parts_delivered(
        self, delivery_id: str, *, parts_sent: int, provider_message_id: str | None
    ) -> Delivery:
        """The provider accepted the first `parts_sent` parts (a retry resumes after them)."""
        ...

    async def provider_reported(
        self, provider_message_id: str, *, status: str, error: str | None = None
    ) -> Delivery | None:
        """The provider's delivery status of a message it accepted; None when no delivery has that id."""
        ...

    async def due_deliveries(self, *, limit: int = 50) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        ...

    async def claim_deliveries(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Delivery]:
        """Take due deliveries for sending: their next attempt moves `lease_s` ahead in the same transaction.

        Atomic, so two outbox workers never take the same delivery; if the taker dies, the delivery
        is due again when the lease runs out. `delivered`, `retry_delivery` and `dead_letter` settle it.
        """
        ...

    async def keep_delivery(self, delivery_id: str, held_until: datetime, *, for_s: float) -> datetime | None:
        """Make sure a taken delivery stays its taker's for `for_s` more seconds; the new end, or None when lost.

        Called right before each provider call. A hold (`held_until`, the delivery's next attempt
        as it was taken) with that long left is kept as it is, without a statement; a shorter one
        is extended only if the delivery is still pending at the same next attempt — otherwise its
        hold ran out and another worker took it (or settled it), and the caller must not send.
        """
        ...

    async def delivered(self, delivery_id: str, *, provider_message_id: str | None) -> Delivery:
        """The channel accepted the message."""
        ...

    async def retry_delivery(self, delivery_id: str, *, after_s: float, error: str) -> Delivery:
        """Try again in `after_s` seconds."""
        ...

    async def defer_delivery(self, delivery_id: str, *, after_s: float, reason: str) -> Delivery:
        """Try again in `after_s` seconds without counting a failed attempt (a send limit was not free yet)."""
        ...

    async def dead_letter(self, delivery_id: str, *, error: str) -> Delivery:
        """Give up on a delivery; staff see it."""
        ...

    async def withhold(self, delivery_id: str, *, reason: str) -> Delivery:
        """Do not send a delivery after all (the conversation changed hands); never retried."""
        ...

    async def hold_conversation(self, conversation_key: str, owner: str, *, lease_s: float) -> bool:
        """Take the conversation's lease (as a worker's claim does) unless another owner holds it; True when taken.

        While held, no worker starts a turn of the conversation: staff actions that run the graph
        (an approval decision) take it so they never overlap a customer's turn.
        """
        ...

    async def release_conversation(self, conversation_key: str, owner: str) -> None:
        """Give back a lease taken with `hold_conversation` (only if `owner` still holds it)."""
        ...

    async def deliveries(self, *, status: DeliveryStatus | None = None) -> list[Delivery]:
        """Deliveries, oldest first."""
        ...
