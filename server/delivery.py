"""The outbox worker: sends recorded replies through their channel, retries with backoff, dead-letters.

A `ChannelSender` speaks one provider's send protocol and says how a send went: accepted (with the
provider's message id), retry later (429 / 5xx, honouring the provider's retry-after), a
permanent failure, or deferred (our own send limit for the chat or number is not free yet: not a
failure, no attempt counted). After `MAX_SEND_ATTEMPTS` tries, or at once on a permanent failure,
the delivery is dead-lettered and staff are notified with a link to the conversation.

Two ways in: the worker that ran a turn sends its replies at once (`send_taken`, with the owner
read as the turn completed); everything else — retries, deferred sends, staff replies, notices —
is polled from the outbox (`run`), each delivery's message and owner read right before its send.

A taken delivery is its taker's until its next attempt comes round (its hold). Right before a send
the hold must cover `SEND_BUDGET_S`, the longest a send may take: a shorter one is extended —
unless the delivery was taken by another worker meanwhile, and then nothing is sent here, so a
reply is never sent by two workers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agents.base import announces_handover
from server.logs import conversation_context
from server.worker_names import worker_name
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


@dataclass(frozen=True)
class Deferred:
    """A send limit is not free for `after_s` seconds: not a failure, no attempt is counted."""

    reason: str
    after_s: float


SendOutcome = Sent | RetryLater | Failed | Deferred


@dataclass(frozen=True)
class TakenElsewhere:
    """The delivery's hold ran out and another worker took (or settled) it: nothing is sent or recorded here."""

    reason: str = "its hold ran out and another worker took it"


WAIT_IN_LINE_S = 2.0
"""A send limit that frees up within this long is waited out by the outbox; a longer one defers the delivery."""
SEND_BUDGET_S = 30.0
"""The longest one delivery's send may take, limit waits and provider calls included: it is cut off
after that (a temporary failure), and a taken delivery is held at least this long when its send starts."""
HOLD_MARGIN_S = 2.0
"""Added to the send budget when checking a hold, for the clocks of different hosts."""


class ChannelSender(Protocol):
    """Sends one recorded message to its chat on one channel."""

    async def send(
        self, delivery: Delivery, message: Message, *, wait_s: float = WAIT_IN_LINE_S
    ) -> SendOutcome:
        """Send `message` to `delivery.chat_id`; never raises for provider errors, says what happened.

        A send limit that frees up within `wait_s` is waited out; a later one is `Deferred`.
        """
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
    max_in_flight: int = 200
    """Deliveries `run` holds taken and unsettled at most (back pressure when channels are slow)."""
    send_budget_s: float = SEND_BUDGET_S
    """The longest one delivery's send may take (see `SEND_BUDGET_S`); shorter than `lease_s`."""

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

    async def run(self, stop: asyncio.Event, *, idle_s: float = 0.2, limit: int = 50) -> None:
        """Work off due deliveries until `stop` is set.

        Each chat gets a lane: its deliveries go one after another, in order. Lanes run side by
        side while the loop goes on taking due deliveries, so a chat waiting out its send limit
        holds up neither the other chats nor new replies. Taking pauses while `max_in_flight`
        deliveries are taken and unsettled.
        """
        lanes: dict[tuple[str, str], list[Delivery]] = {}
        tasks: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            room = self.max_in_flight - sum(len(lane) for lane in lanes.values())
            due: list[Delivery] = []
            if room > 0:
                try:
                    due = await self.inbox.claim_deliveries(
                        self.owner, lease_s=self.lease_s, limit=min(limit, room)
                    )
                except Exception:
                    log.exception("the outbox could not be read; trying again")
            for delivery in due:
                chat = (delivery.channel, delivery.chat_id)
                if chat in lanes:
                    lanes[chat].append(delivery)
                    continue
                lanes[chat] = [delivery]
                task = asyncio.create_task(self._lane(chat, lanes))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if len(due) < limit:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_s)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _lane(self, chat: tuple[str, str], lanes: dict[tuple[str, str], list[Delivery]]) -> None:
        """Send a chat's taken deliveries in order, including those added while it runs; then close the lane."""
        lane = lanes[chat]
        try:
            while lane:
                try:
                    await self._deliver(lane[0])
                except Exception:  # it stays taken, and is due again when its lease runs out
                    log.exception("delivery %s could not be settled", lane[0].id)
                lane.pop(0)
        finally:
            del lanes[chat]

    async def send_taken(
        self, deliveries: Sequence[Delivery], messages: Mapping[str, Message], owner: Owner | None
    ) -> None:
        """Send a turn's new deliveries at once, in order: the turn's worker took them as it completed.

        `owner` was read as the turn completed, moments ago. Nothing here waits for a send limit
        (the turn's worker has other turns to run): the first delivery that would wait goes back to
        the outbox due at once, with every one after it, and the outbox's loop sends them in order,
        waiting in line there.
        """
        handed: Deferred | TakenElsewhere | None = None
        for delivery in deliveries:
            with conversation_context(delivery.conversation_id):
                if handed is not None:
                    if await self._still_held(delivery):
                        await self.inbox.defer_delivery(delivery.id, after_s=0.0, reason=handed.reason)
                    continue
                message = messages[delivery.message_id]
                outcome = await self._send(delivery, message, withheld_reason(owner, message), wait_s=0.0)
                if isinstance(outcome, Deferred | TakenElsewhere):
                    handed = outcome

    async def _deliver(self, delivery: Delivery) -> None:
        with conversation_context(delivery.conversation_id):
            message = await self.conversations.get_message(delivery.message_id)
            conversation = await self.conversations.get_conversation(delivery.conversation_id)
            await self._send(delivery, message, withheld_reason(conversation.owner, message))

    async def _still_held(self, delivery: Delivery) -> bool:
        """Whether `delivery` is still this worker's for a whole send (its hold extended if need be)."""
        kept = await self.inbox.keep_delivery(
            delivery.id, delivery.next_attempt_at, for_s=self.send_budget_s + HOLD_MARGIN_S
        )
        if kept is None:
            log.info("delivery %s not sent here: %s", delivery.id, TakenElsewhere.reason)
        return kept is not None

    async def _send(
        self, delivery: Delivery, message: Message, withheld: str | None, *, wait_s: float = WAIT_IN_LINE_S
    ) -> SendOutcome | TakenElsewhere | None:
        """Send and record how it went; None when nothing was tried (withheld, no sender).

        Nothing is sent or recorded for a delivery whose hold ran out and that another worker
        took meanwhile (a long wait in its chat's lane, a turn that ran into its lease's end).
        """
        if not await self._still_held(delivery):
            return TakenElsewhere()
        sender = self.senders.get(delivery.channel)
        if sender is None:
            await self._dead(delivery, f"no sender configured for channel {delivery.channel!r}")
            return None
        if withheld:
            log.info("delivery %s withheld: %s", delivery.id, withheld)
            await self.inbox.withhold(delivery.id, reason=withheld)
            return None
        try:
            async with asyncio.timeout(self.send_budget_s):
                outcome = await sender.send(delivery, message, wait_s=wait_s)
        except TimeoutError:
            outcome = RetryLater(f"the send took longer than {self.send_budget_s:g} s")
        except Exception as error:  # a sender bug must not stop the outbox
            log.exception("sender for %s raised", delivery.channel)
            outcome = RetryLater(f"{type(error).__name__}: {error}")
        if isinstance(outcome, Sent):
            await self.inbox.delivered(delivery.id, provider_message_id=outcome.provider_message_id)
        elif isinstance(outcome, Deferred):  # without patience (`wait_s` 0) the outbox's loop waits in line
            after_s = outcome.after_s if wait_s > 0 else 0.0
            await self.inbox.defer_delivery(delivery.id, after_s=after_s, reason=outcome.reason)
        elif isinstance(outcome, Failed) or delivery.attempts + 1 >= MAX_SEND_ATTEMPTS:
            await self._dead(delivery, outcome.reason)
        else:
            wait = outcome.after_s if outcome.after_s is not None else backoff_s(delivery.attempts)
            await self.inbox.retry_delivery(delivery.id, after_s=wait, error=outcome.reason)
        return outcome

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


def withheld_reason(owner: Owner | None, message: Message) -> str | None:
    """Why `message` must not go out while `owner` owns its conversation (None: send it).

    Ownership is read right before the send: a staff reply goes out only while staff own the
    conversation, a bot message only while the bot does (except the one announcing the handover).
    """
    if message.author.startswith("staff:"):
        if owner is not Owner.STAFF:
            return "the conversation was handed back to the bot before this staff reply was sent"
        return None
    if owner is Owner.STAFF and not announces_handover(message.agent, message.actions):
        return "staff took the conversation over before this bot message was sent"
    return None


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
