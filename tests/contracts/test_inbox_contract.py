"""The durable inbox and outbox, on SQLite and PostgreSQL: once per event, one worker per conversation, in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import DATABASES
from tools.clock import FrozenClock
from tools.conversations import NewReply, Owner
from tools.inbox import Claim, DeliveryStatus, InboxStatus, NewDelivery, NewInboxEvent
from tools.sql import BusinessStores
from tools.sql.inbox_claim import MAX_ATTEMPTS

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def _event(clock: FrozenClock, provider_id: str, chat: str = "100", text: str = "Привет") -> NewInboxEvent:
    return NewInboxEvent("telegram", provider_id, chat, chat, text, received_at=clock.now())


async def test_a_redelivered_event_is_stored_once(stores: BusinessStores, clock: FrozenClock) -> None:
    results = await asyncio.gather(*(stores.inbox.accept(_event(clock, "u1")) for _ in range(5)))
    assert sum(1 for _, new in results if new) == 1
    assert len({event.id for event, _ in results}) == 1
    assert len(await stores.inbox.events()) == 1


async def test_a_rush_of_webhooks_is_stored_once_each_whatever_is_committed_together(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    """Concurrent events share transactions (group commit); each caller still learns new or not."""
    ids = [f"r{n}" for n in range(250)] + ["r7", "r7", "r100", "r249"]
    results = await asyncio.gather(*(stores.inbox.accept(_event(clock, pid, chat=pid[-1])) for pid in ids))
    assert sum(new for _, new in results) == 250
    by_provider: dict[str, set[str]] = {}
    for event, _ in results:
        by_provider.setdefault(event.provider_id, set()).add(event.id)
    assert all(len(stored) == 1 for stored in by_provider.values()), "a redelivery gets the stored event"
    assert sorted(e.provider_id for e in await stores.inbox.events()) == sorted(set(ids))


async def test_events_stored_together_keep_every_field(stores: BusinessStores, clock: FrozenClock) -> None:
    """A batch of several events (names missing or not, channel details, both languages) reads back as sent."""
    sent = [
        NewInboxEvent(
            "telegram",
            f"f{n}",
            f"{n}",
            f"{n}",
            ["Здравствуйте, запишите меня «на завтра»", "Hi, it's me\nline two"][n % 2],
            received_at=clock.now() + timedelta(seconds=n),
            kind=["text", "button"][n % 2],
            sender_name=["Анна", None][n % 2],
            extra={"callback_id": f"cb-{n}", "заметка": "ключ"} if n % 2 else {},
        )
        for n in range(6)
    ]
    await asyncio.gather(*(stores.inbox.accept(event) for event in sent))
    stored = {event.provider_id: event for event in await stores.inbox.events()}
    for event in sent:
        kept = stored[event.provider_id]
        assert (kept.text, kept.kind, kept.sender_name, dict(kept.extra), kept.received_at) == (
            event.text,
            event.kind,
            event.sender_name,
            dict(event.extra),
            event.received_at,
        )
        assert (kept.conversation_key, kept.status, kept.attempts) == (
            event.conversation_key,
            InboxStatus.PENDING,
            0,
        )


async def test_a_conversation_is_leased_to_one_worker_with_its_events_in_order(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    for number, text in enumerate(["first", "second", "third"]):
        await stores.inbox.accept(_event(clock, f"u{number}", text=text))
        clock.advance(timedelta(milliseconds=300))
    claims = await asyncio.gather(*(stores.inbox.claim(f"w{n}", lease_s=30) for n in range(4)))
    taken = [claim for claim in claims if claim is not None]
    assert len(taken) == 1, "only one worker may process a conversation at a time"
    assert [event.text for event in taken[0].events] == ["first", "second", "third"]
    await stores.inbox.accept(_event(clock, "u9", text="fourth"))
    assert await stores.inbox.claim("w-other", lease_s=30) is None, "the conversation is still leased"
    await stores.inbox.complete(taken[0], [event.id for event in taken[0].events])
    after = await stores.inbox.claim("w-other", lease_s=30)
    assert after is not None and [event.text for event in after.events] == ["fourth"]
    assert {e.status for e in await stores.inbox.events(status=InboxStatus.DONE)} == {InboxStatus.DONE}


async def test_different_conversations_go_to_different_workers(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await stores.inbox.accept(_event(clock, "a1", chat="A"))
    await stores.inbox.accept(_event(clock, "b1", chat="B"))
    first = await stores.inbox.claim("w1", lease_s=30)
    second = await stores.inbox.claim("w2", lease_s=30)
    assert first is not None and second is not None
    assert {first.conversation_key, second.conversation_key} == {"telegram:A", "telegram:B"}
    assert [e.provider_id for e in await stores.inbox.events(conversation_key="telegram:B")] == ["b1"]


async def test_a_dead_workers_events_are_claimed_again_after_its_lease(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await stores.inbox.accept(_event(clock, "u1"))
    crashed = await stores.inbox.claim("w1", lease_s=30)
    assert crashed is not None
    assert await stores.inbox.claim("w2", lease_s=30) is None
    clock.advance(timedelta(seconds=31))
    rescued = await stores.inbox.claim("w2", lease_s=30)
    assert rescued is not None and [e.provider_id for e in rescued.events] == ["u1"]
    assert rescued.events[0].attempts == 1


async def test_a_burst_waits_until_it_is_quiet(stores: BusinessStores, clock: FrozenClock) -> None:
    await stores.inbox.accept(_event(clock, "u1", text="здравствуйте"))
    clock.advance(timedelta(seconds=1))
    await stores.inbox.accept(_event(clock, "u2", text="хочу на маникюр"))
    assert await stores.inbox.claim("w1", lease_s=30, burst_s=2) is None
    clock.advance(timedelta(seconds=2))
    claim = await stores.inbox.claim("w1", lease_s=30, burst_s=2)
    assert claim is not None and [e.text for e in claim.events] == ["здравствуйте", "хочу на маникюр"]


async def test_a_failing_event_is_retried_then_dead_lettered(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await stores.inbox.accept(_event(clock, "u1"))
    for _ in range(MAX_ATTEMPTS):
        claim = await stores.inbox.claim("w1", lease_s=30)
        assert claim is not None
        await stores.inbox.complete(claim, [e.id for e in claim.events], error="boom")
    assert await stores.inbox.claim("w1", lease_s=30) is None
    [dead] = await stores.inbox.events(status=InboxStatus.DEAD)
    assert dead.error == "boom"


async def test_deliveries_are_once_per_message_retried_and_dead_lettered(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    inbound, _ = await stores.conversations.record_inbound(
        conversation.id, "hi", provider_id="u1", at=clock.now()
    )
    reply = await stores.conversations.record_reply(
        conversation.id, NewReply("Hello!", agent="smalltalk"), reply_to=inbound.id, seq=0
    )
    twice = await asyncio.gather(
        *(
            stores.inbox.enqueue_delivery(
                message_id=reply.id, conversation_id=conversation.id, channel="telegram", chat_id="100"
            )
            for _ in range(3)
        )
    )
    assert len({d.id for d in twice}) == 1
    delivery = twice[0]
    await stores.inbox.retry_delivery(delivery.id, after_s=5, error="429 Too Many Requests")
    assert await stores.inbox.due_deliveries() == []
    clock.advance(timedelta(seconds=5))
    [due] = await stores.inbox.due_deliveries()
    assert due.attempts == 1 and due.last_error == "429 Too Many Requests"
    dead = await stores.inbox.dead_letter(due.id, error="403 bot was blocked by the user")
    assert dead.status is DeliveryStatus.DEAD and await stores.inbox.due_deliveries() == []
    sent = await stores.inbox.delivered(dead.id, provider_message_id="42")
    assert sent.status is DeliveryStatus.SENT


async def test_a_dead_workers_turn_is_the_same_turn_when_claimed_again(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await stores.inbox.accept(_event(clock, "u1", text="хочу записаться"))
    crashed = await stores.inbox.claim("w1", lease_s=30)
    assert crashed is not None
    await stores.inbox.accept(_event(clock, "u2", text="на завтра"))
    clock.advance(timedelta(seconds=31))
    again = await stores.inbox.claim("w2", lease_s=30)
    assert again is not None and again.batch == crashed.batch
    assert [e.text for e in again.events] == ["хочу записаться"], "a message that came later is the next turn"
    await stores.inbox.complete(again, [e.id for e in again.events])
    following = await stores.inbox.claim("w2", lease_s=30)
    assert following is not None and following.batch != crashed.batch
    assert [e.text for e in following.events] == ["на завтра"]


async def test_a_claim_for_one_conversation_takes_only_that_conversation(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await stores.inbox.accept(_event(clock, "a1", chat="A"))
    clock.advance(timedelta(seconds=1))
    await stores.inbox.accept(_event(clock, "b1", chat="B"))
    assert await stores.inbox.claim("w1", lease_s=30, conversation_key="telegram:C") is None
    claim = await stores.inbox.claim("w1", lease_s=30, conversation_key="telegram:B")
    assert claim is not None and [e.provider_id for e in claim.events] == ["b1"]
    assert await stores.inbox.claim("w2", lease_s=30, conversation_key="telegram:B") is None, "leased"
    assert await stores.inbox.claim("w2", lease_s=30, conversation_key="telegram:A", burst_s=2) is None
    clock.advance(timedelta(seconds=1))
    other = await stores.inbox.claim("w2", lease_s=30, conversation_key="telegram:A", burst_s=2)
    assert other is not None and other.conversation_key == "telegram:A"


async def test_last_open_at_says_when_the_newest_open_event_arrived(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    assert await stores.inbox.last_open_at("telegram:100") is None
    await stores.inbox.accept(_event(clock, "u1"))
    clock.advance(timedelta(seconds=1))
    await stores.inbox.accept(_event(clock, "u2"))
    assert await stores.inbox.last_open_at("telegram:100") == clock.now()
    claim = await stores.inbox.claim("w1", lease_s=30)
    assert claim is not None
    assert await stores.inbox.last_open_at("telegram:100") == clock.now(), "processing is still open"
    await stores.inbox.complete(claim, [e.id for e in claim.events])
    assert await stores.inbox.last_open_at("telegram:100") is None


async def _deliveries(stores: BusinessStores, clock: FrozenClock, count: int) -> list[str]:
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    ids = []
    for number in range(count):
        inbound, _ = await stores.conversations.record_inbound(
            conversation.id, f"hi {number}", provider_id=f"u{number}", at=clock.now()
        )
        reply = await stores.conversations.record_reply(
            conversation.id, NewReply(f"Hello {number}!", agent="smalltalk"), reply_to=inbound.id, seq=0
        )
        delivery = await stores.inbox.enqueue_delivery(
            message_id=reply.id, conversation_id=conversation.id, channel="telegram", chat_id="100"
        )
        ids.append(delivery.id)
        clock.advance(timedelta(milliseconds=10))
    return ids


async def test_claimed_deliveries_are_taken_once_until_their_lease_runs_out(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    ids = await _deliveries(stores, clock, 12)
    batches = await asyncio.gather(
        *(stores.inbox.claim_deliveries(f"w{n}", lease_s=30, limit=5) for n in range(4))
    )
    taken = [delivery.id for batch in batches for delivery in batch]
    assert sorted(taken) == sorted(ids), "every due delivery taken, none twice"
    assert all(len(batch) <= 5 for batch in batches)
    assert await stores.inbox.claim_deliveries("w9", lease_s=30) == []
    assert await stores.inbox.due_deliveries() == []
    await stores.inbox.delivered(ids[0], provider_message_id="1")
    await stores.inbox.retry_delivery(ids[1], after_s=5, error="429")
    clock.advance(timedelta(seconds=6))
    assert [d.id for d in await stores.inbox.claim_deliveries("w9", lease_s=30)] == [ids[1]]
    clock.advance(timedelta(seconds=25))
    again = await stores.inbox.claim_deliveries("w9", lease_s=30, limit=100)
    assert [d.id for d in again] == ids[2:], "a dead taker's deliveries are due again, oldest first"


async def _turn_with_replies(
    stores: BusinessStores, clock: FrozenClock, provider_id: str, *texts: str
) -> list[str]:
    """A customer message on conversation telegram:100 and the bot's recorded replies; their message ids."""
    contact = await stores.crm.contact_for_identity("telegram", "100", key="c")
    conversation = await stores.conversations.open_conversation("telegram", "100", contact.id)
    inbound, _ = await stores.conversations.record_inbound(
        conversation.id, "hi", provider_id=provider_id, at=clock.now()
    )
    _, replies = await stores.conversations.finish_turn(
        conversation.id, [NewReply(text, agent="smalltalk") for text in texts], reply_to=inbound.id
    )
    return [reply.id for reply in replies]


async def _claimed_turn(
    stores: BusinessStores, clock: FrozenClock, provider_id: str, *texts: str
) -> tuple[Claim, list[str]]:
    """A customer message accepted and claimed by worker w1 (30 s lease), and the replies its turn recorded."""
    await stores.inbox.accept(_event(clock, provider_id))
    claim = await stores.inbox.claim("w1", lease_s=30)
    assert claim is not None
    return claim, await _turn_with_replies(stores, clock, provider_id, *texts)


def _new_deliveries(message_ids: list[str]) -> list[NewDelivery]:
    return [NewDelivery(message_id, "telegram:100", "telegram", "100") for message_id in message_ids]


async def test_a_completed_turn_queues_its_replies_and_its_worker_sends_them_holding_the_conversation(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    claim, replies = await _claimed_turn(stores, clock, "u1", "Здравствуйте!", "Чем помочь?")
    await stores.inbox.accept(_event(clock, "u2", text="ещё вопрос"))
    done = await stores.inbox.complete(
        claim, [e.id for e in claim.events], deliveries=_new_deliveries(replies), keep_to_send_s=15
    )
    assert [d.message_id for d in done.taken] == replies, "both replies, in order, are the worker's to send"
    assert done.conversation_owner is Owner.BOT
    assert done.last_open_at == clock.now(), "the message that came during the turn is still open"
    assert await stores.inbox.claim_deliveries("outbox", lease_s=60) == [], "the outbox leaves them alone"
    assert await stores.inbox.claim("w2", lease_s=30, conversation_key="telegram:100") is None, (
        "the next turn waits until the replies are sent"
    )
    await stores.inbox.release_conversation("telegram:100", "w1")
    following = await stores.inbox.claim("w2", lease_s=30, conversation_key="telegram:100")
    assert following is not None and [e.text for e in following.events] == ["ещё вопрос"]


async def test_a_turn_that_ran_into_the_end_of_its_lease_leaves_its_replies_to_the_outbox(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    claim, replies = await _claimed_turn(stores, clock, "u1", "Здравствуйте!")
    clock.advance(timedelta(seconds=20))
    done = await stores.inbox.complete(
        claim, [e.id for e in claim.events], deliveries=_new_deliveries(replies), keep_to_send_s=15
    )
    assert done.taken == (), "10 s of lease left, 15 s wanted: another worker may take over any moment"
    [queued] = await stores.inbox.claim_deliveries("outbox", lease_s=60)
    assert queued.message_id == replies[0], "the outbox sends it at once"
    await stores.inbox.accept(_event(clock, "u2"))
    assert await stores.inbox.claim("w2", lease_s=30) is not None, "the conversation was released"


async def test_a_taken_delivery_is_kept_only_while_no_one_else_took_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    [message_id] = await _turn_with_replies(stores, clock, "u1", "Здравствуйте!")
    await stores.inbox.enqueue_delivery(
        message_id=message_id, conversation_id="telegram:100", channel="telegram", chat_id="100"
    )
    [held] = await stores.inbox.claim_deliveries("a", lease_s=60)
    assert await stores.inbox.keep_delivery(held.id, held.next_attempt_at, for_s=30) == held.next_attempt_at
    clock.advance(timedelta(seconds=45))
    longer = await stores.inbox.keep_delivery(held.id, held.next_attempt_at, for_s=30)
    assert longer == clock.now() + timedelta(seconds=30), "15 s left: extended, no one else took it"
    clock.advance(timedelta(seconds=29))
    assert await stores.inbox.claim_deliveries("b", lease_s=60) == [], "still held"
    clock.advance(timedelta(seconds=2))
    [other] = await stores.inbox.claim_deliveries("b", lease_s=60)
    assert other.id == held.id
    assert await stores.inbox.keep_delivery(held.id, longer, for_s=30) is None, "b has it now"
    kept = await stores.inbox.keep_delivery(other.id, other.next_attempt_at, for_s=90)
    assert kept is not None
    await stores.inbox.delivered(other.id, provider_message_id="tg-1")
    assert await stores.inbox.keep_delivery(other.id, kept, for_s=300) is None, "sent: nothing to keep"


async def test_replies_queue_behind_earlier_ones_still_waiting_and_are_never_queued_twice(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    first, earlier = await _claimed_turn(stores, clock, "u1", "Первый ответ")
    await stores.inbox.complete(first, [e.id for e in first.events], deliveries=_new_deliveries(earlier))
    second, later = await _claimed_turn(stores, clock, "u2", "Второй ответ")
    done = await stores.inbox.complete(
        second, [e.id for e in second.events], deliveries=_new_deliveries(earlier + later), keep_to_send_s=15
    )
    assert done.taken == () and done.last_open_at is None, (
        "an earlier reply waits: the outbox sends both, in order"
    )
    taken = await stores.inbox.claim_deliveries("outbox", lease_s=60)
    assert [d.message_id for d in taken] == earlier + later, "one delivery per message"
    assert (
        await stores.inbox.claim("w2", lease_s=30) is None
        and await stores.inbox.last_open_at("telegram:100") is None
    )


async def test_a_send_limit_defers_a_delivery_without_counting_a_failed_attempt(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    [message_id] = await _turn_with_replies(stores, clock, "u1", "Здравствуйте!")
    delivery = await stores.inbox.enqueue_delivery(
        message_id=message_id, conversation_id="telegram:100", channel="telegram", chat_id="100"
    )
    deferred = await stores.inbox.defer_delivery(delivery.id, after_s=3, reason="send limit reached")
    assert deferred.attempts == 0 and deferred.status is DeliveryStatus.PENDING
    assert await stores.inbox.due_deliveries() == []
    clock.advance(timedelta(seconds=3))
    assert [d.id for d in await stores.inbox.due_deliveries()] == [delivery.id]
