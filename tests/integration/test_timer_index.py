"""The Redis index of due timers, on real Redis and both databases: fast pickup, the database stays the truth.

Workers here sleep for an hour between looks unless told otherwise, so a timer that fires was
found through Redis (a wake-up or the index), not by the database poll. "Redis lost its data" is
the deletion of this test's keys: ``FLUSHDB`` would pull the rug from other tests sharing the
database number.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from agents.context import RunDeps
from agents.proactive.fire import Flow
from agents.proactive.rules import Handled
from evals.bench.timers import NoUnderstanding, timer_deps
from server.assembly import open_frontdesk
from server.indexed_timers import RedisIndexedTimers, index_timers
from server.settings import Settings
from server.timer_index import RedisTimerIndex
from server.timer_worker import TimerWorker
from server.turn_queue_redis import connect
from tests.conftest import DATABASES, ROOT
from tools.clock import FrozenClock
from tools.playbook import Playbook
from tools.sql import BusinessStores
from tools.timers import NewTimer, Timer, TimerStatus, TimerStore

REDIS_URL = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
UNREACHABLE = "redis://127.0.0.1:1/0"
MINUTE = timedelta(minutes=1)
HOUR_S = 3600.0
"""Workers' `idle_s`: without Redis they would not look again during the test."""

pytestmark = [pytest.mark.redis, pytest.mark.parametrize("database_url", DATABASES, indirect=True)]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = connect(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:  # the suite needs Redis; say where it looked
        raise RuntimeError(
            f"Redis is not reachable at {REDIS_URL} ({error}); bash .ci/run starts it"
        ) from error
    yield client
    await client.aclose()


@pytest.fixture
async def business(redis: Redis) -> AsyncIterator[str]:
    """A business id of this test's own: its keys are ``frontdesk:<id>:…``, deleted afterwards."""
    business_id = f"test-{uuid.uuid4().hex[:12]}"
    yield business_id
    await forget(redis, business_id)


async def forget(redis: Redis, business_id: str) -> None:
    """Delete every key of the business (what a flush or an empty restart does to it)."""
    keys = [key async for key in redis.scan_iter(match=f"frontdesk:{business_id}:*")]
    if keys:
        await redis.delete(*keys)


class CountingTimers:
    """The SQL timers, counting the worker's database reads."""

    def __init__(self, timers: TimerStore) -> None:
        self.inner = timers
        self.claims = 0
        self.polls = 0

    async def schedule(self, timer: NewTimer, *, key: str) -> Timer:
        return await self.inner.schedule(timer, key=key)

    async def cancel(self, group: str, *, reason: str, kinds: frozenset[str] | None = None) -> int:
        return await self.inner.cancel(group, reason=reason, kinds=kinds)

    async def claim_due(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Timer]:
        self.claims += 1
        return await self.inner.claim_due(owner, lease_s=lease_s, limit=limit)

    async def finish(self, timer_id: str, status: TimerStatus, *, outcome: str) -> Timer:
        return await self.inner.finish(timer_id, status, outcome=outcome)

    async def defer(self, timer_id: str, due_at: datetime, *, reason: str) -> Timer:
        return await self.inner.defer(timer_id, due_at, reason=reason)

    async def next_due_at(self) -> datetime | None:
        self.polls += 1
        return await self.inner.next_due_at()

    async def timers(self, *, group: str | None = None, status: TimerStatus | None = None) -> list[Timer]:
        return await self.inner.timers(group=group, status=status)


@dataclasses.dataclass
class Process:
    """What one worker process has: its own Redis client and index over the shared database."""

    stores: BusinessStores
    index: RedisTimerIndex
    counted: CountingTimers
    deps: RunDeps


def process(
    stores: BusinessStores, client: Redis, business_id: str, clock: FrozenClock, playbook: Playbook
) -> Process:
    counted = CountingTimers(stores.timers)
    indexed, index = index_timers(
        dataclasses.replace(stores, timers=counted), client, business_id=business_id, clock=clock
    )
    return Process(indexed, index, counted, timer_deps(playbook, indexed, clock))


@pytest.fixture
def desk(
    stores: BusinessStores, redis: Redis, business: str, clock: FrozenClock, minimal_playbook: Playbook
) -> Process:
    return process(stores, redis, business, clock, minimal_playbook)


class Pings:
    """A flow that only counts who it fired for."""

    def __init__(self) -> None:
        self.fired: list[str] = []

    @property
    def flows(self) -> dict[str, Flow]:
        async def ping(deps: RunDeps, timer: Timer) -> Handled:
            self.fired.append(timer.id)
            return Handled("pinged")

        return {"ping": ping}


def ping(at: datetime, group: str = "booking:bk_1") -> NewTimer:
    return NewTimer(kind="ping", due_at=at, group=group, subject=group)


@asynccontextmanager
async def running(*workers: TimerWorker) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `check` holds (the 10 s limit only guards against a hang; nothing is timed)."""
    for _ in range(1000):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it never happened")


async def status_of(stores: BusinessStores, timer_id: str) -> TimerStatus:
    [timer] = [timer for timer in await stores.timers.timers() if timer.id == timer_id]
    return timer.status


async def test_each_change_of_a_timer_moves_it_in_the_index(
    desk: Process, redis: Redis, clock: FrozenClock
) -> None:
    timers, due_key = desk.stores.timers, desk.index.due_key
    timer = await timers.schedule(ping(clock.now() + MINUTE), key="t1")
    assert await redis.zscore(due_key, timer.id) == (clock.now() + MINUTE).timestamp()
    clock.advance(MINUTE)
    [claimed] = await timers.claim_due("w1", lease_s=30)
    assert claimed.lease_until is not None
    assert await redis.zscore(due_key, timer.id) == claimed.lease_until.timestamp(), (
        "free again when the lease ends"
    )
    await timers.defer(timer.id, clock.now() + 5 * MINUTE, reason="quiet hours")
    assert await redis.zscore(due_key, timer.id) == (clock.now() + 5 * MINUTE).timestamp()
    clock.advance(5 * MINUTE)
    await timers.claim_due("w1", lease_s=30)
    await timers.finish(timer.id, TimerStatus.DONE, outcome="sent")
    assert await redis.zscore(due_key, timer.id) is None
    await timers.schedule(ping(clock.now()), key="t1")
    assert await redis.zcard(due_key) == 0, "the same key again is the fired timer: nothing to index"


async def test_a_sleeping_worker_fires_a_new_timer_without_polling_the_database(
    desk: Process, clock: FrozenClock
) -> None:
    pings = Pings()
    worker = TimerWorker(desk.deps, pings.flows, owner="w1", idle_s=HOUR_S, index=desk.index)
    async with running(worker):
        timer = await desk.stores.timers.schedule(ping(clock.now()), key="t1")
        await eventually(lambda: _done(desk.stores, timer.id))
    assert pings.fired == [timer.id]
    assert (desk.counted.polls, desk.counted.claims) == (0, 1), "the database was asked once: when it was due"


async def test_two_workers_fire_each_timer_once(
    stores: BusinessStores, redis: Redis, business: str, clock: FrozenClock, minimal_playbook: Playbook
) -> None:
    other_client = connect(REDIS_URL)
    first = process(stores, redis, business, clock, minimal_playbook)
    second = process(stores, other_client, business, clock, minimal_playbook)
    pings = Pings()
    workers = [
        TimerWorker(each.deps, pings.flows, owner=f"w{number}", idle_s=HOUR_S, index=each.index)
        for number, each in enumerate((first, second))
    ]
    try:
        async with running(*workers):
            made = [await first.stores.timers.schedule(ping(clock.now()), key=f"t{n}") for n in range(10)]
            await eventually(lambda: _all_done(stores, len(made)))
    finally:
        await other_client.aclose()
    assert sorted(pings.fired) == sorted(timer.id for timer in made), "each fired exactly once"
    assert all(timer.attempts == 1 for timer in await stores.timers.timers())


async def test_after_redis_loses_its_data_the_index_is_rebuilt_and_the_timer_fires_once(
    desk: Process, redis: Redis, business: str, clock: FrozenClock
) -> None:
    timer = await desk.stores.timers.schedule(ping(clock.now() + MINUTE), key="t1")
    pings = Pings()
    worker = TimerWorker(desk.deps, pings.flows, owner="w1", idle_s=0.05, index=desk.index)
    async with running(worker):
        await eventually(lambda: _exists(redis, desk.index.marker_key))
        await forget(redis, business)
        clock.advance(MINUTE)
        await eventually(lambda: _done(desk.stores, timer.id))
    assert pings.fired == [timer.id]
    assert desk.counted.polls == 0


async def test_a_timer_scheduled_without_redis_fires_after_the_next_reconciliation(
    desk: Process, stores: BusinessStores, redis: Redis, clock: FrozenClock
) -> None:
    desk.index.reconcile_s = 0.2
    pings = Pings()
    worker = TimerWorker(desk.deps, pings.flows, owner="w1", idle_s=0.05, index=desk.index)
    async with running(worker):
        await eventually(lambda: _exists(redis, desk.index.marker_key))
        timer = await stores.timers.schedule(
            ping(clock.now()), key="t1"
        )  # the SQL store: no index, no wake-up
        await eventually(lambda: _done(stores, timer.id))
    assert pings.fired == [timer.id]


async def test_a_cancelled_timer_leaves_the_index_when_it_comes_due(
    desk: Process, redis: Redis, clock: FrozenClock
) -> None:
    timer = await desk.stores.timers.schedule(ping(clock.now() + MINUTE, group="contact:ct_1"), key="t1")
    assert await desk.stores.timers.cancel("contact:ct_1", reason="the customer replied") == 1
    assert await redis.zscore(desk.index.due_key, timer.id) is not None, "pruned lazily"
    pings = Pings()
    worker = TimerWorker(desk.deps, pings.flows, owner="w1", idle_s=0.05, index=desk.index)
    async with running(worker):
        clock.advance(MINUTE)
        await eventually(lambda: _absent(redis, desk.index.due_key, timer.id))
    assert pings.fired == []
    assert await status_of(desk.stores, timer.id) is TimerStatus.CANCELLED


async def test_with_redis_unreachable_scheduling_works_and_the_worker_polls_the_database(
    stores: BusinessStores,
    business: str,
    clock: FrozenClock,
    minimal_playbook: Playbook,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="frontdesk.timers")
    client = connect(UNREACHABLE)
    down = process(stores, client, business, clock, minimal_playbook)
    pings = Pings()
    worker = TimerWorker(
        down.deps, pings.flows, owner="w1", idle_s=0.05, index=down.index, index_retry_s=0.05
    )
    try:
        timer = await down.stores.timers.schedule(ping(clock.now()), key="t1")
        async with running(worker):
            await eventually(lambda: _done(stores, timer.id))
            polls = down.counted.polls
            await eventually(lambda: _true(down.counted.polls >= polls + 5))  # Redis tried again meanwhile
    finally:
        await client.aclose()
    assert pings.fired == [timer.id]
    fallbacks = [r for r in caplog.records if "polling the database" in r.getMessage()]
    assert len(fallbacks) == 1 and fallbacks[0].levelno == logging.WARNING, "logged once"


async def test_when_redis_is_back_the_worker_leaves_the_database_alone_again(
    desk: Process, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="frontdesk.timers")
    working, desk.index.client, desk.index.pause_s = desk.index.client, connect(UNREACHABLE), 0.0
    pings = Pings()
    worker = TimerWorker(
        desk.deps, pings.flows, owner="w1", idle_s=0.05, index=desk.index, index_retry_s=0.05
    )
    async with running(worker):
        await eventually(lambda: _true(desk.counted.polls > 0))
        broken, desk.index.client = desk.index.client, working
        await broken.aclose()
        await eventually(lambda: _true(any("is back" in r.getMessage() for r in caplog.records)))
        polls = desk.counted.polls
        timer = await desk.stores.timers.schedule(ping(clock.now()), key="t1")
        await eventually(lambda: _done(desk.stores, timer.id))
    assert pings.fired == [timer.id]
    assert desk.counted.polls == polls, "found through Redis, not by polling"


async def test_a_missed_write_makes_the_next_worker_reconcile(
    desk: Process, redis: Redis, clock: FrozenClock
) -> None:
    await desk.index.look(clock.now(), limit=50)  # reconciled: the marker is set
    assert await redis.exists(desk.index.marker_key)
    working = desk.index.client
    desk.index.client, desk.index.pause_s = connect(UNREACHABLE), 0.0
    try:
        lost = await desk.stores.timers.schedule(ping(clock.now()), key="t1")
    finally:
        await desk.index.client.aclose()
        desk.index.client = working
    assert await redis.zscore(desk.index.due_key, lost.id) is None
    await desk.stores.timers.schedule(ping(clock.now() + MINUTE), key="t2")
    assert not await redis.exists(desk.index.marker_key), "the next look reconciles"
    assert (await desk.index.look(clock.now(), limit=50)).due == [lost.id]


async def test_the_stores_index_timers_only_when_redis_is_configured(
    database_url: str, tmp_path: Path, clock: FrozenClock, redis: Redis
) -> None:
    playbook = ROOT / "tests/fixtures/minimal_playbook.yaml"
    embedded = Settings(playbook=playbook, data_dir=tmp_path, database_url=database_url)
    async with open_frontdesk(
        embedded, clock=clock, understanding=NoUnderstanding(), knowledge="none"
    ) as desk:
        assert desk.timer_index is None and not isinstance(desk.stores.timers, RedisIndexedTimers)
    with_redis = embedded.model_copy(update={"redis_url": REDIS_URL})
    async with open_frontdesk(
        with_redis, clock=clock, understanding=NoUnderstanding(), knowledge="none"
    ) as desk:
        assert desk.timer_index is not None and desk.deps.stores.timers is desk.stores.timers
        assert isinstance(desk.stores.timers, RedisIndexedTimers)
        timer = await desk.stores.timers.schedule(ping(clock.now()), key=f"t-{uuid.uuid4().hex}")
        try:
            assert await redis.zscore(desk.timer_index.due_key, timer.id) == clock.now().timestamp()
        finally:
            await redis.zrem(desk.timer_index.due_key, timer.id)


async def _done(stores: BusinessStores, timer_id: str) -> bool:
    return await status_of(stores, timer_id) is TimerStatus.DONE


async def _all_done(stores: BusinessStores, count: int) -> bool:
    return len(await stores.timers.timers(status=TimerStatus.DONE)) == count


async def _exists(redis: Redis, key: str) -> bool:
    return bool(await redis.exists(key))


async def _absent(redis: Redis, key: str, member: str) -> bool:
    return await redis.zscore(key, member) is None


async def _true(value: bool) -> bool:
    return value
