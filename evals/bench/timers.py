"""`frontdesk bench timers`: how fast due timers fire, polling the database and with the Redis index.

Timer workers (each with its own database pool and, with Redis, its own client and index, as
worker processes have) run in this process on a fresh database, with a flow that only notes when
it fired. Three figures per mode:

- **fired per second**: N timers, all due, scheduled while the workers are stopped; then the
  workers start and work them off.
- **pickup latency**: one timer due now is scheduled at a random moment of an idle period, `rounds`
  times; the time until its flow runs (p50 / p99).
- **idle database statements per second**: statements the workers send while nothing is due.

Duplicate firings are counted too (the database claim keeps them at 0 in either mode).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from agents.context import RunDeps
from agents.proactive.rules import Handled
from agents.replies import Replies
from agents.understanding import DialogueContext, Understanding
from evals.bench.databases import fresh_database
from server.indexed_timers import index_timers
from server.timer_index import RedisTimerIndex
from server.timer_worker import TimerWorker
from server.turn_queue_redis import connect
from tools.appointments import Appointments
from tools.clock import Clock, SystemClock
from tools.payments import BuiltinPaymentProvider
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores, database_urls, open_stores, upgrade_database
from tools.timers import NewTimer, Timer

IDLE_S = 3.0
"""How long idle database statements are counted."""


@dataclass(frozen=True)
class ModeFigures:
    """One mode's figures."""

    fired_per_s: float
    pickup_p50_ms: float
    pickup_p99_ms: float
    idle_db_statements_per_s: float
    duplicate_firings: int


@dataclass(frozen=True)
class TimersReport:
    """Both modes side by side (the Redis columns are empty without --redis-url)."""

    database: str
    workers: int
    timers: int
    rounds: int
    polling_fired_per_s: float
    polling_pickup_p50_ms: float
    polling_pickup_p99_ms: float
    polling_idle_db_statements_per_s: float
    polling_duplicate_firings: int
    redis_fired_per_s: float | None
    redis_pickup_p50_ms: float | None
    redis_pickup_p99_ms: float | None
    redis_idle_db_statements_per_s: float | None
    redis_duplicate_firings: int | None


class NoUnderstanding:
    """Understanding for a process that only fires timers: never asked."""

    async def understand(self, text: str, context: DialogueContext) -> Understanding:
        raise AssertionError("timers need no understanding")


def timer_deps(playbook: Playbook, stores: BusinessStores, clock: Clock) -> RunDeps:
    """What a process that only fires timers needs (no understanding, no knowledge base)."""
    return RunDeps(
        playbook=playbook,
        stores=stores,
        clock=clock,
        understanding=NoUnderstanding(),
        appointments=Appointments(playbook, stores.calendar, stores.billing, clock, stores.timers),
        payments=BuiltinPaymentProvider("http://127.0.0.1:8000"),
        replies=Replies(playbook),
    )


@dataclass
class _Worker:
    deps: RunDeps
    index: RedisTimerIndex | None
    statements: list[int]


async def run(
    *,
    playbook: Path,
    timers: int,
    workers: int,
    rounds: int,
    database_url: str | None,
    redis_url: str | None,
    data_dir: Path,
) -> TimersReport:
    """Measure both modes on one fresh database (the Redis mode only with `redis_url`)."""
    business = load_playbook(playbook)
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    async with fresh_database(database_url, data_dir) as url:
        await asyncio.to_thread(upgrade_database, database_urls(url))
        polling = await _measure(url, None, business, timers=timers, workers=workers, rounds=rounds)
        indexed = None
        if redis_url is not None:
            indexed = await _measure(url, redis_url, business, timers=timers, workers=workers, rounds=rounds)
    return TimersReport(
        database="postgresql" if database_url else "sqlite",
        workers=workers,
        timers=timers,
        rounds=rounds,
        polling_fired_per_s=polling.fired_per_s,
        polling_pickup_p50_ms=polling.pickup_p50_ms,
        polling_pickup_p99_ms=polling.pickup_p99_ms,
        polling_idle_db_statements_per_s=polling.idle_db_statements_per_s,
        polling_duplicate_firings=polling.duplicate_firings,
        redis_fired_per_s=None if indexed is None else indexed.fired_per_s,
        redis_pickup_p50_ms=None if indexed is None else indexed.pickup_p50_ms,
        redis_pickup_p99_ms=None if indexed is None else indexed.pickup_p99_ms,
        redis_idle_db_statements_per_s=None if indexed is None else indexed.idle_db_statements_per_s,
        redis_duplicate_firings=None if indexed is None else indexed.duplicate_firings,
    )


async def _measure(
    url: str, redis_url: str | None, playbook: Playbook, *, timers: int, workers: int, rounds: int
) -> ModeFigures:
    mode = f"{'redis' if redis_url else 'polling'}-{uuid.uuid4().hex[:8]}"
    fired: dict[str, float] = {}
    duplicates = 0

    async def note(deps: RunDeps, timer: Timer) -> Handled:
        nonlocal duplicates
        duplicates += timer.id in fired
        fired.setdefault(timer.id, time.perf_counter())
        return Handled("bench")

    async with AsyncExitStack() as stack:
        desks = [
            await stack.enter_async_context(_worker(url, redis_url, playbook, mode)) for _ in range(workers)
        ]
        scheduler, clock = desks[0].deps.stores.timers, desks[0].deps.clock
        now = clock.now()
        for number in range(timers):
            await scheduler.schedule(_timer(now, number), key=f"{mode}:batch:{number}")
        stop = asyncio.Event()
        started = time.perf_counter()
        tasks = [
            asyncio.create_task(
                TimerWorker(desk.deps, {"bench": note}, owner=f"bench-{number}", index=desk.index).run(stop)
            )
            for number, desk in enumerate(desks)
        ]
        try:
            await _until(lambda: len(fired) >= timers)
            fired_per_s = timers / (max(fired.values()) - started)
            await asyncio.sleep(1.0)  # settled: nothing due
            counted = sum(desk.statements[0] for desk in desks)
            await asyncio.sleep(IDLE_S)
            idle = (sum(desk.statements[0] for desk in desks) - counted) / IDLE_S
            latencies = []
            for number in range(rounds):
                await asyncio.sleep(random.uniform(0.2, 1.2))
                at = time.perf_counter()
                timer = await scheduler.schedule(_timer(clock.now(), number), key=f"{mode}:pickup:{number}")
                await _until(lambda: timer.id in fired)  # noqa: B023
                latencies.append((fired[timer.id] - at) * 1000)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    return ModeFigures(
        fired_per_s=round(fired_per_s, 1),
        pickup_p50_ms=round(statistics.median(latencies), 1),
        pickup_p99_ms=round(_percentile(latencies, 0.99), 1),
        idle_db_statements_per_s=round(idle, 2),
        duplicate_firings=duplicates,
    )


@asynccontextmanager
async def _worker(url: str, redis_url: str | None, playbook: Playbook, mode: str) -> AsyncIterator[_Worker]:
    """One worker process's parts: its own pool (statements counted) and, with Redis, client and index."""
    clock = SystemClock()
    stores = await open_stores(url, clock=clock, migrate=False)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(stores.engine.sync_engine, "before_cursor_execute", count)
    client = connect(redis_url) if redis_url else None
    index = None
    try:
        if client is not None:
            stores, index = index_timers(stores, client, business_id=f"bench-{mode}", clock=clock)
        deps = timer_deps(playbook, stores, clock)
        yield _Worker(deps, index, statements)
    finally:
        await stores.close()
        if client is not None:
            keys = [key async for key in client.scan_iter(match=f"frontdesk:bench-{mode}:*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()


def _timer(at: datetime, number: int) -> NewTimer:
    return NewTimer(kind="bench", due_at=at, group=f"bench:{number}")


async def _until(check: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the timers did not fire within {timeout_s:.0f} s")
        await asyncio.sleep(0.001)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
