"""The outbox worker: sends recorded replies through their channel, retries with backoff, dead-letters.

A `ChannelSender` speaks one provider's send protocol and says how a send went: accepted (with the
provider's message id), retry later (429 / 5xx, honouring the provider's retry-after), or a
permanent failure. After `MAX_SEND_ATTEMPTS` tries, or at once on a permanent failure, the
delivery is dead-lettered and staff are notified with a link to the conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from agents.base import announces_handover
from server.logs import conversation_context
from server.worker import worker_name
from tools.conversations import ConversationStore, Message, Owner
from tools.inbox import Delivery, InboxStore
from tools.notifications import NewNotification, NotificationKind, NotificationStore

log = logging.getLogger("frontdesk.delivery")

MAX_SEND_ATTEMPTS = 6
"""Tries before a delivery is dead-lettered."""
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 600.0


@dataclass(frozen=True)
class Sent:
    """The provider accepted the message."""

    provider_message_id: str | None = None


@dataclass(frozen=True)
class RetryLater:
    """A temporary failure (rate limit, server error, network); `after_s` when the provider said."""

    reason: str
    after_s: float | None = None


@dataclass(frozen=True)
class Failed:
    """A permanent failure (blocked by the user, bad token, invalid recipient)."""

    reason: str


SendOutcome = Sent | RetryLater | Failed


class ChannelSender(Protocol):
    """Sends one recorded message to its chat on one channel."""

    async def send(self, delivery: Delivery, message: Message) -> SendOutcome:
        """Send `message` to `delivery.chat_id`; never raises for provider errors, says what happened."""
        ...


def backoff_s(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 2, 4, 8 … up to 10 minutes."""
    return float(min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempts)))


@dataclass
class DeliveryWorker:
    """Works off due deliveries with the sender of each channel."""

    inbox: InboxStore
    conversations: ConversationStore
    notifications: NotificationStore
    senders: dict[str, ChannelSender]
    console_url: str = "http://127.0.0.1:8000"
    owner: str = field(default_factory=worker_name)
    lease_s: float = 60.0
    """How long a taken delivery is this worker's; longer than the slowest send (every part, with timeouts)."""

    async def run_once(self, *, limit: int = 50) -> int:
        """Take due deliveries (no other worker gets them meanwhile) and try each once; returns how many.

        Chats are served side by side, each chat's deliveries one after another in order, so one
        chat waiting out its send limit does not hold up the others.
        """
        due = await self.inbox.claim_deliveries(self.owner, lease_s=self.lease_s, limit=limit)
        chats: dict[tuple[str, str], list[Delivery]] = {}
        for delivery in due:
            chats.setdefault((delivery.channel, delivery.chat_id), []).append(delivery)
        outcomes = await asyncio.gather(
            *(self._deliver_in_order(chat) for chat in chats.values()), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return len(due)

    async def _deliver_in_order(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            await self._deliver(delivery)

    async def run(self, stop: asyncio.Event, *, idle_s: float = 0.2) -> None:
        """Work off due deliveries until `stop` is set."""
        while not stop.is_set():
            try:
                tried = await self.run_once()
            except Exception:
                log.exception("the outbox could not be read; trying again")
                tried = 0
            if not tried:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_s)

    async def _deliver(self, delivery: Delivery) -> None:
        with conversation_context(delivery.conversation_id):
            await self._send(delivery)

    async def _send(self, delivery: Delivery) -> None:
        sender = self.senders.get(delivery.channel)
        if sender is None:
            await self._dead(delivery, f"no sender configured for channel {delivery.channel!r}")
            return
        message = await self.conversations.get_message(delivery.message_id)
        withheld = await self._not_theirs_to_send(delivery, message)
        if withheld:
            log.info("delivery %s withheld: %s", delivery.id, withheld)
            await self.inbox.withhold(delivery.id, reason=withheld)
            return
        try:
            outcome = await sender.send(delivery, message)
        except Exception as error:  # a sender bug must not stop the outbox
            log.exception("sender for %s raised", delivery.channel)
            outcome = RetryLater(f"{type(error).__name__}: {error}")
        if isinstance(outcome, Sent):
            await self.inbox.delivered(delivery.id, provider_message_id=outcome.provider_message_id)
        elif isinstance(outcome, Failed) or delivery.attempts + 1 >= MAX_SEND_ATTEMPTS:
            await self._dead(delivery, outcome.reason)
        else:
            wait = outcome.after_s if outcome.after_s is not None else backoff_s(delivery.attempts)
            await self.inbox.retry_delivery(delivery.id, after_s=wait, error=outcome.reason)

    async def _not_theirs_to_send(self, delivery: Delivery, message: Message) -> str | None:
        """Why the message must not go out now that the conversation may have changed hands (None: send it).

        Ownership is read right before the send: a staff reply goes out only while staff own the
        conversation, a bot message only while the bot does (except the one announcing the handover).
        """
        conversation = await self.conversations.get_conversation(delivery.conversation_id)
        if message.author.startswith("staff:"):
            if conversation.owner is not Owner.STAFF:
                return "the conversation was handed back to the bot before this staff reply was sent"
            return None
        if conversation.owner is Owner.STAFF and not announces_handover(message.agent, message.actions):
            return "staff took the conversation over before this bot message was sent"
        return None

    async def _dead(self, delivery: Delivery, reason: str) -> None:
        log.warning("delivery %s to %s dead-lettered: %s", delivery.id, delivery.channel, reason)
        await self.inbox.dead_letter(delivery.id, error=reason)
        await tell_staff_a_send_failed(
            self.notifications,
            delivery,
            title=f"A reply could not be sent ({delivery.channel})",
            reason=reason,
            key=f"dead-letter:{delivery.id}",
            console_url=self.console_url,
        )


async def tell_staff_a_send_failed(
    notifications: NotificationStore,
    delivery: Delivery,
    *,
    title: str,
    reason: str,
    key: str,
    console_url: str,
) -> None:
    """A ``failed_send`` notification for the support team with the reason and the conversation's link."""
    await notifications.notify(
        NewNotification(
            NotificationKind.FAILED_SEND,
            "team:support",
            title,
            f"{reason}. Conversation {delivery.conversation_id}.",
            link=f"{console_url}/console/conversations/{delivery.conversation_id}",
        ),
        key=key,
    )
