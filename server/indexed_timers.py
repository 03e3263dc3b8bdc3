"""The timer store with ``REDIS_URL``: the SQL timers, each change mirrored into the Redis index of due times.

Callers (bookings, payments, flows) keep calling ``deps.stores.timers``; `open_frontdesk` puts
this wrapper there when Redis is configured, so every process that schedules (the API, workers,
commands) indexes what it schedules and wakes the workers, and nothing else changes. The database
answers every call; Redis is written after it and never fails a call (see `RedisTimerIndex`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from redis.asyncio import Redis

from server.timer_index import RedisTimerIndex
from tools.clock import Clock
from tools.sql import BusinessStores
from tools.sql.timer_due import SqlTimerDueTimes
from tools.timers import NewTimer, Timer, TimerStatus, TimerStore


class RedisIndexedTimers:
    """A `TimerStore` delegating to `timers` (kept as `inner`) and keeping `index` in step with what it changed."""

    def __init__(self, timers: TimerStore, index: RedisTimerIndex) -> None:
        self.inner = timers
        self.index = index

    async def schedule(self, timer: NewTimer, *, key: str) -> Timer:
        """Schedule `timer` once per `key`; a pending timer is indexed and workers sleeping past it are woken."""
        scheduled = await self.inner.schedule(timer, key=key)
        await self.index.record([scheduled], wake=True)
        return scheduled

    async def cancel(self, group: str, *, reason: str, kinds: frozenset[str] | None = None) -> int:
        """Cancel the group's pending timers; their index entries are pruned when they come due (lazily)."""
        return await self.inner.cancel(group, reason=reason, kinds=kinds)

    async def claim_due(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Timer]:
        """Take due timers; the index moves them to their lease's end (when another worker may take them again)."""
        taken = await self.inner.claim_due(owner, lease_s=lease_s, limit=limit)
        await self.index.record(taken)
        return taken

    async def finish(self, timer_id: str, status: TimerStatus, *, outcome: str) -> Timer:
        """Record how a claimed timer ended; it leaves the index."""
        finished = await self.inner.finish(timer_id, status, outcome=outcome)
        await self.index.record([finished])
        return finished

    async def defer(self, timer_id: str, due_at: datetime, *, reason: str) -> Timer:
        """Move a pending timer to `due_at`; the index follows."""
        deferred = await self.inner.defer(timer_id, due_at, reason=reason)
        await self.index.record([deferred], wake=True)
        return deferred

    async def next_due_at(self) -> datetime | None:
        """From the database (the worker asks it only while Redis is unavailable)."""
        return await self.inner.next_due_at()

    async def timers(self, *, group: str | None = None, status: TimerStatus | None = None) -> list[Timer]:
        """From the database."""
        return await self.inner.timers(group=group, status=status)


def index_timers(
    stores: BusinessStores, client: Redis, *, business_id: str, clock: Clock
) -> tuple[BusinessStores, RedisTimerIndex]:
    """`stores` with their timers mirrored into a Redis index of due times, and that index (for the timer worker)."""
    index = RedisTimerIndex(
        client, namespace=f"frontdesk:{business_id}", due_times=SqlTimerDueTimes(stores.engine), clock=clock
    )
    return dataclasses.replace(stores, timers=RedisIndexedTimers(stores.timers, index)), index
