"""Durable timers on SQLite and PostgreSQL: scheduled once per key, claimed once, cancelled by group."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from tests.conftest import DATABASES
from tools.clock import FrozenClock
from tools.errors import NotFound
from tools.sql import BusinessStores
from tools.timers import NewTimer, TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)

MINUTE = timedelta(minutes=1)


def _timer(at: datetime, group: str = "booking:bk_1", kind: str = "booking_reminder") -> NewTimer:
    return NewTimer(kind=kind, due_at=at, group=group, subject=group)


async def test_a_timer_is_scheduled_once_per_key_whatever_became_of_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    reminder = NewTimer(
        kind="booking_reminder",
        due_at=clock.now() + MINUTE,
        group="booking:bk_1",
        subject="booking:bk_1",
        conversation_id="telegram:100",
        contact_id="ct_1",
        data={"template": "reminder_24h"},
        expires_at=clock.now() + 2 * MINUTE,
    )
    first = await stores.timers.schedule(reminder, key="reminder:bk_1")
    assert (first.kind, first.group, first.subject, first.status) == (
        "booking_reminder",
        "booking:bk_1",
        "booking:bk_1",
        TimerStatus.PENDING,
    )
    assert (first.conversation_id, first.contact_id, dict(first.data)) == (
        "telegram:100",
        "ct_1",
        {"template": "reminder_24h"},
    )
    assert first.due_at == clock.now() + MINUTE and first.expires_at == clock.now() + 2 * MINUTE
    assert first.attempts == 0 and first.fired_at is None and first.key == "reminder:bk_1"
    later = _timer(clock.now() + 60 * MINUTE)
    assert await stores.timers.schedule(later, key="reminder:bk_1") == first, "the same key, the same timer"
    clock.advance(MINUTE)
    [claimed] = await stores.timers.claim_due("w1", lease_s=30)
    await stores.timers.finish(claimed.id, TimerStatus.DONE, outcome="sent")
    again = await stores.timers.schedule(reminder, key="reminder:bk_1")
    assert again.id == first.id and again.status is TimerStatus.DONE, "a fired timer is not scheduled again"
    assert len(await stores.timers.timers()) == 1


async def test_concurrent_schedules_of_one_key_make_one_timer(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    made = await asyncio.gather(
        *(stores.timers.schedule(_timer(clock.now() + MINUTE), key="deadline:bk_1") for _ in range(6))
    )
    assert len({timer.id for timer in made}) == 1
    assert len(await stores.timers.timers()) == 1


async def test_nothing_is_claimed_before_it_is_due(stores: BusinessStores, clock: FrozenClock) -> None:
    timer = await stores.timers.schedule(_timer(clock.now() + 10 * MINUTE), key="t1")
    assert await stores.timers.claim_due("w1", lease_s=30) == []
    clock.advance(9 * MINUTE)
    assert await stores.timers.claim_due("w1", lease_s=30) == []
    clock.advance(MINUTE)
    [claimed] = await stores.timers.claim_due("w1", lease_s=30)
    assert claimed.id == timer.id and claimed.attempts == 1
    assert claimed.lease_owner == "w1" and claimed.lease_until == clock.now() + timedelta(seconds=30)
    assert claimed.status is TimerStatus.PENDING


async def test_due_timers_are_claimed_oldest_first_up_to_the_limit(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    for minutes, key in ((3, "c"), (1, "a"), (2, "b")):
        await stores.timers.schedule(_timer(clock.now() + minutes * MINUTE), key=key)
    clock.advance(5 * MINUTE)
    first = await stores.timers.claim_due("w1", lease_s=30, limit=2)
    assert [timer.key for timer in first] == ["a", "b"]
    assert [timer.key for timer in await stores.timers.claim_due("w1", lease_s=30)] == ["c"]


async def test_racing_workers_get_each_due_timer_exactly_once(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    for number in range(5):
        await stores.timers.schedule(_timer(clock.now(), group=f"booking:bk_{number}"), key=f"t{number}")
    await stores.timers.schedule(_timer(clock.now() + MINUTE), key="not-yet")
    batches = await asyncio.gather(*(stores.timers.claim_due(f"w{n}", lease_s=30) for n in range(8)))
    taken = [timer.key for batch in batches for timer in batch]
    assert sorted(taken) == [f"t{number}" for number in range(5)], "each due timer once, none twice"
    for batch in batches:
        assert all(timer.lease_owner == batch[0].lease_owner and timer.attempts == 1 for timer in batch)
    assert await stores.timers.claim_due("w9", lease_s=30) == []


async def test_a_dead_workers_timer_is_claimed_again_when_its_lease_runs_out(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    timer = await stores.timers.schedule(_timer(clock.now()), key="t1")
    [claimed] = await stores.timers.claim_due("dead", lease_s=60)
    assert await stores.timers.next_due_at() == clock.now() + timedelta(seconds=60), (
        "held until the lease ends"
    )
    clock.advance(timedelta(seconds=59))
    assert await stores.timers.claim_due("alive", lease_s=60) == [], "the lease still runs"
    clock.advance(timedelta(seconds=1))
    [again] = await stores.timers.claim_due("alive", lease_s=60)
    assert (again.id, again.lease_owner, again.attempts) == (timer.id, "alive", 2)
    assert claimed.attempts == 1


async def test_cancel_by_group_leaves_other_groups_and_finished_timers_alone(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    soon = clock.now() + MINUTE
    await stores.timers.schedule(_timer(clock.now(), kind="booking_confirmation"), key="sent")
    await stores.timers.schedule(_timer(soon), key="reminder")
    await stores.timers.schedule(_timer(soon, kind="deposit_deadline"), key="deadline")
    await stores.timers.schedule(_timer(soon, group="booking:bk_2"), key="other")
    [sent] = await stores.timers.claim_due("w1", lease_s=30)
    await stores.timers.finish(sent.id, TimerStatus.DONE, outcome="sent")

    assert (
        await stores.timers.cancel("booking:bk_1", reason="paid", kinds=frozenset({"deposit_deadline"})) == 1
    )
    assert await stores.timers.cancel("booking:bk_1", reason="booking cancelled") == 1
    assert await stores.timers.cancel("booking:bk_1", reason="again") == 0
    by_key = {timer.key: timer for timer in await stores.timers.timers()}
    assert (by_key["deadline"].status, by_key["deadline"].outcome) == (TimerStatus.CANCELLED, "paid")
    assert (by_key["reminder"].status, by_key["reminder"].outcome) == (
        TimerStatus.CANCELLED,
        "booking cancelled",
    )
    assert (by_key["sent"].status, by_key["sent"].outcome) == (TimerStatus.DONE, "sent")
    assert by_key["other"].status is TimerStatus.PENDING
    clock.advance(MINUTE)
    assert [timer.key for timer in await stores.timers.claim_due("w1", lease_s=30)] == ["other"]
    assert [
        t.key for t in await stores.timers.timers(group="booking:bk_1", status=TimerStatus.CANCELLED)
    ] == [
        "reminder",
        "deadline",
    ]


async def test_a_deferred_timer_is_claimed_only_at_its_new_time(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    timer = await stores.timers.schedule(_timer(clock.now()), key="t1")
    [claimed] = await stores.timers.claim_due("w1", lease_s=600)
    deferred = await stores.timers.defer(claimed.id, clock.now() + 30 * MINUTE, reason="quiet hours")
    assert (deferred.status, deferred.outcome, deferred.lease_owner) == (
        TimerStatus.PENDING,
        "quiet hours",
        None,
    )
    assert deferred.due_at == clock.now() + 30 * MINUTE
    assert await stores.timers.next_due_at() == deferred.due_at
    clock.advance(29 * MINUTE)
    assert await stores.timers.claim_due("w2", lease_s=30) == []
    clock.advance(MINUTE)
    assert [t.id for t in await stores.timers.claim_due("w2", lease_s=30)] == [timer.id]


async def test_finishing_records_the_outcome_and_releases_the_timer(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    fired = await stores.timers.schedule(_timer(clock.now()), key="fired")
    stale = await stores.timers.schedule(_timer(clock.now(), kind="stalled_lead"), key="stale")
    await stores.timers.claim_due("w1", lease_s=30)
    clock.advance(timedelta(seconds=5))
    done = await stores.timers.finish(fired.id, TimerStatus.DONE, outcome="sent")
    assert (done.status, done.fired_at, done.outcome, done.lease_owner) == (
        TimerStatus.DONE,
        clock.now(),
        "sent",
        None,
    )
    dropped = await stores.timers.finish(stale.id, TimerStatus.DROPPED, outcome="stale after downtime")
    assert (dropped.status, dropped.fired_at) == (TimerStatus.DROPPED, None)
    clock.advance(MINUTE)
    assert await stores.timers.claim_due("w2", lease_s=30) == [], "finished timers never come back"
    assert await stores.timers.next_due_at() is None
    with pytest.raises(NotFound):
        await stores.timers.finish("tm_missing", TimerStatus.DONE, outcome="sent")
    with pytest.raises(NotFound):
        await stores.timers.defer("tm_missing", clock.now(), reason="quiet hours")


async def test_a_cancel_that_races_the_worker_is_not_undone_by_a_deferral(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    timer = await stores.timers.schedule(_timer(clock.now()), key="t1")
    await stores.timers.claim_due("w1", lease_s=30)
    assert await stores.timers.cancel("booking:bk_1", reason="booking cancelled") == 1
    kept = await stores.timers.defer(timer.id, clock.now() + MINUTE, reason="quiet hours")
    assert (kept.status, kept.outcome, kept.due_at) == (
        TimerStatus.CANCELLED,
        "booking cancelled",
        clock.now(),
    )
    sent = await stores.timers.finish(timer.id, TimerStatus.DONE, outcome="sent")
    assert sent.status is TimerStatus.DONE, "it went out after all: the record says so"


async def test_next_due_at_is_the_earliest_pending_timer(stores: BusinessStores, clock: FrozenClock) -> None:
    assert await stores.timers.next_due_at() is None
    start = clock.now()
    first = await stores.timers.schedule(_timer(start + 5 * MINUTE), key="first")
    await stores.timers.schedule(_timer(start + 20 * MINUTE, group="booking:bk_2"), key="second")
    await stores.timers.schedule(_timer(start + 10 * MINUTE, group="booking:bk_3"), key="third")
    assert await stores.timers.next_due_at() == start + 5 * MINUTE
    await stores.timers.cancel("booking:bk_3", reason="booking cancelled")
    clock.advance(5 * MINUTE)
    await stores.timers.claim_due("w1", lease_s=30)
    await stores.timers.finish(first.id, TimerStatus.DONE, outcome="sent")
    assert await stores.timers.next_due_at() == start + 20 * MINUTE
    assert [timer.key for timer in await stores.timers.timers()] == ["first", "third", "second"]


async def test_a_timer_past_its_expiry_is_stale(stores: BusinessStores, clock: FrozenClock) -> None:
    timer = await stores.timers.schedule(
        NewTimer("booking_reminder", clock.now(), "booking:bk_1", expires_at=clock.now() + MINUTE), key="t1"
    )
    assert not timer.stale(clock.now() + MINUTE)
    assert timer.stale(clock.now() + 2 * MINUTE)
