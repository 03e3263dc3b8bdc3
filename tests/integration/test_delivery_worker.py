"""The outbox worker on SQLite and PostgreSQL: sent once, retried as the provider asks, dead-lettered to staff."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from server.delivery import MAX_SEND_ATTEMPTS, Deferred, DeliveryWorker, Failed, RetryLater, SendOutcome, Sent
from tests.conftest import on_every_database
from tools.clock import FrozenClock
from tools.conversations import Message, NewReply, Owner
from tools.inbox import Delivery, DeliveryStatus
from tools.notifications import NotificationKind
from tools.sql import BusinessStores


class ScriptedSender:
    """Answers each send with the next scripted outcome (then success) and records what it sent."""

    def __init__(self, *outcomes: SendOutcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[str] = []

    async def send(self, delivery: Delivery, message: Message, *, wait_s: float = 2.0) -> SendOutcome:
        self.sent.append(message.text)
        return self.outcomes.pop(0) if self.outcomes else Sent("tg-99")


async def _reply(stores: BusinessStores, clock: FrozenClock, provider_id: str = "u1") -> Delivery:
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    inbound, _ = await stores.conversations.record_inbound(
        conversation.id, "привет", provider_id=provider_id, at=clock.now()
    )
    reply = await stores.conversations.record_reply(
        conversation.id, NewReply("Здравствуйте! Чем помочь?", agent="smalltalk"), reply_to=inbound.id, seq=0
    )
    return await stores.inbox.enqueue_delivery(
        message_id=reply.id, conversation_id=conversation.id, channel="telegram", chat_id="100"
    )


def _worker(stores: BusinessStores, sender: ScriptedSender) -> DeliveryWorker:
    return DeliveryWorker(stores.inbox, stores.conversations, stores.notifications, {"telegram": sender})


@on_every_database
async def test_a_rate_limited_send_waits_as_long_as_the_provider_says(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await _reply(stores, clock)
    sender = ScriptedSender(RetryLater("429 Too Many Requests", after_s=7))
    worker = _worker(stores, sender)
    assert await worker.run_once() == 1
    clock.advance(timedelta(seconds=6))
    assert await worker.run_once() == 0, "not before retry_after"
    clock.advance(timedelta(seconds=1))
    assert await worker.run_once() == 1
    [delivery] = await stores.inbox.deliveries()
    assert delivery.status is DeliveryStatus.SENT and delivery.provider_message_id == "tg-99"
    assert sender.sent == ["Здравствуйте! Чем помочь?"] * 2
    assert await worker.run_once() == 0, "a sent message is never sent again"


@on_every_database
async def test_a_permanent_failure_is_dead_lettered_and_staff_are_told(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    delivery = await _reply(stores, clock)
    await _worker(stores, ScriptedSender(Failed("403 Forbidden: bot was blocked by the user"))).run_once()
    [dead] = await stores.inbox.deliveries(status=DeliveryStatus.DEAD)
    assert dead.id == delivery.id and "blocked" in (dead.last_error or "")
    [notice] = await stores.notifications.list_notifications()
    assert notice.kind is NotificationKind.FAILED_SEND and delivery.conversation_id in (notice.link or "")


@on_every_database
async def test_server_errors_back_off_then_give_up(stores: BusinessStores, clock: FrozenClock) -> None:
    await _reply(stores, clock)
    worker = _worker(stores, ScriptedSender(*[RetryLater("502 Bad Gateway")] * MAX_SEND_ATTEMPTS))
    waits = []
    for _ in range(MAX_SEND_ATTEMPTS):
        before = clock.now()
        assert await worker.run_once() == 1
        [delivery] = await stores.inbox.deliveries()
        waits.append((delivery.next_attempt_at - before).total_seconds())
        clock.advance(timedelta(seconds=700))
    assert waits[:3] == [2.0, 4.0, 8.0]
    [dead] = await stores.inbox.deliveries(status=DeliveryStatus.DEAD)
    assert dead.attempts == MAX_SEND_ATTEMPTS


class SlowSender(ScriptedSender):
    """Yields to the event loop mid-send, so two outbox workers interleave."""

    async def send(self, delivery: Delivery, message: Message, *, wait_s: float = 2.0) -> SendOutcome:
        await asyncio.sleep(0.01)
        return await super().send(delivery, message, wait_s=wait_s)


@on_every_database
async def test_two_outbox_workers_never_send_one_delivery_twice(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    for number in range(20):
        inbound, _ = await stores.conversations.record_inbound(
            conversation.id, f"вопрос {number}", provider_id=f"u{number}", at=clock.now()
        )
        reply = await stores.conversations.record_reply(
            conversation.id, NewReply(f"ответ {number}", agent="smalltalk"), reply_to=inbound.id, seq=0
        )
        await stores.inbox.enqueue_delivery(
            message_id=reply.id, conversation_id=conversation.id, channel="telegram", chat_id="100"
        )
    senders = [SlowSender(), SlowSender()]
    workers = [_worker(stores, sender) for sender in senders]
    for number, worker in enumerate(workers):
        worker.owner = f"outbox-{number}"
    for _ in range(4):
        await asyncio.gather(*(worker.run_once(limit=7) for worker in workers))
    sent = senders[0].sent + senders[1].sent
    assert sorted(sent) == sorted(f"ответ {number}" for number in range(20)), "each reply sent exactly once"
    assert senders[0].sent and senders[1].sent, "both workers took a share"
    assert {d.status for d in await stores.inbox.deliveries()} == {DeliveryStatus.SENT}


class TakeoverDuringSend(ScriptedSender):
    """A send that takes 25 s, during which another outbox worker looks for due deliveries."""

    def __init__(self, stores: BusinessStores, clock: FrozenClock) -> None:
        super().__init__()
        self.stores, self.clock = stores, clock
        self.taken_meanwhile: list[Delivery] = []

    async def send(self, delivery: Delivery, message: Message, *, wait_s: float = 2.0) -> SendOutcome:
        self.clock.advance(timedelta(seconds=25))
        self.taken_meanwhile += await self.stores.inbox.claim_deliveries("outbox-b", lease_s=60)
        return await super().send(delivery, message, wait_s=wait_s)


@on_every_database
async def test_a_reply_is_never_sent_by_two_workers_when_its_hold_runs_short_or_out(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    """A delivery waited in its worker's lane: a short hold is extended before the send; a lapsed one taken over is left."""
    delivery = await _reply(stores, clock)
    message = await stores.conversations.get_message(delivery.message_id)
    [held] = await stores.inbox.claim_deliveries("outbox-a", lease_s=60)
    clock.advance(timedelta(seconds=40))
    slow = TakeoverDuringSend(stores, clock)
    await _worker(stores, slow).send_taken([held], {message.id: message}, Owner.BOT)
    assert slow.sent == [message.text] and slow.taken_meanwhile == [], (
        "20 s of hold left: extended before the send, so no one took it mid-send"
    )
    [sent] = await stores.inbox.deliveries()
    assert sent.status is DeliveryStatus.SENT

    second = await _reply(stores, clock, provider_id="u2")
    [late] = await stores.inbox.claim_deliveries("outbox-a", lease_s=60)
    clock.advance(timedelta(seconds=61))
    other = ScriptedSender()
    assert await _worker(stores, other).run_once() == 1, "the hold ran out: another worker took it"
    first = ScriptedSender()
    reply = await stores.conversations.get_message(second.message_id)
    await _worker(stores, first).send_taken([late], {reply.id: reply}, Owner.BOT)
    assert other.sent == [reply.text] and first.sent == [], "sent once, by the worker that holds it"
    assert {d.status for d in await stores.inbox.deliveries()} == {DeliveryStatus.SENT}


@on_every_database
async def test_a_bot_message_queued_before_a_takeover_is_withheld(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    delivery = await _reply(stores, clock)
    await stores.conversations.set_owner(
        delivery.conversation_id, Owner.STAFF, staff_id="olga", actor="staff:olga"
    )
    sender = ScriptedSender()
    await _worker(stores, sender).run_once()
    assert sender.sent == []
    [held] = await stores.inbox.deliveries(status=DeliveryStatus.WITHHELD)
    assert held.id == delivery.id and "took the conversation over" in (held.last_error or "")
    assert await stores.notifications.list_notifications() == [], "not a failure: nobody is alerted"


@on_every_database
async def test_a_staff_reply_goes_out_only_while_staff_own_the_conversation(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    delivery = await _reply(stores, clock)
    conversation_id = delivery.conversation_id
    await stores.inbox.dead_letter(delivery.id, error="not part of this test")
    await stores.conversations.set_owner(conversation_id, Owner.STAFF, staff_id="olga", actor="staff:olga")
    sender = ScriptedSender()
    worker = _worker(stores, sender)

    async def staff_says(text: str, key: str) -> None:
        message = await stores.conversations.record_proactive(
            conversation_id, NewReply(text, agent="staff", author="staff:olga"), key=key
        )
        await stores.inbox.enqueue_delivery(
            message_id=message.id, conversation_id=conversation_id, channel="telegram", chat_id="100"
        )

    await staff_says("Я Ольга, сейчас подберу время", "r1")
    await worker.run_once()
    assert sender.sent == ["Я Ольга, сейчас подберу время"]
    await staff_says("ещё одно", "r2")
    await stores.conversations.set_owner(conversation_id, Owner.BOT, staff_id=None, actor="staff:olga")
    await worker.run_once()
    assert sender.sent == ["Я Ольга, сейчас подберу время"], "handed back before the send: withheld"
    [held] = await stores.inbox.deliveries(status=DeliveryStatus.WITHHELD)
    assert "handed back" in (held.last_error or "")


@on_every_database
async def test_the_handover_notice_still_goes_out(stores: BusinessStores, clock: FrozenClock) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    inbound, _ = await stores.conversations.record_inbound(
        conversation.id, "HUMAN", provider_id="u1", at=clock.now()
    )
    notice = await stores.conversations.record_reply(
        conversation.id,
        NewReply("A person will answer within an hour.", agent="human"),
        reply_to=inbound.id,
        seq=0,
    )
    await stores.conversations.set_owner(conversation.id, Owner.STAFF, staff_id=None, actor="agent:human")
    await stores.inbox.enqueue_delivery(
        message_id=notice.id, conversation_id=conversation.id, channel="telegram", chat_id="100"
    )
    sender = ScriptedSender()
    await _worker(stores, sender).run_once()
    assert sender.sent == ["A person will answer within an hour."]


@on_every_database
async def test_a_busy_send_limit_defers_a_reply_but_never_dead_letters_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    """Waiting for our own per-chat or per-bot limit is not a failed attempt, however long it lasts."""
    await _reply(stores, clock)
    worker = _worker(stores, ScriptedSender(*[Deferred("send limit reached", 5)] * (MAX_SEND_ATTEMPTS + 2)))
    for _ in range(MAX_SEND_ATTEMPTS + 2):
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0, "not before the limit frees up"
        clock.advance(timedelta(seconds=5))
    assert await worker.run_once() == 1
    [delivery] = await stores.inbox.deliveries()
    assert delivery.status is DeliveryStatus.SENT and delivery.attempts == 1
