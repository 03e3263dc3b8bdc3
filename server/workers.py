"""How one process takes part in processing turns: embedded (in-process wake-ups) or through Redis.

| mode | webhooks after storing an event | the inbox loop |
| --- | --- | --- |
| embedded (no ``REDIS_URL``) | wake the `InboxWorker` of this process | claims whatever is open, polling every 0.2 s |
| ``REDIS_URL`` | ``XADD`` the conversation to the turn stream | `StreamWorker`: consumer group, DB sweep as a safety net |

`frontdesk serve` runs the loop inside the API process unless it starts worker processes
(``--workers N``); `frontdesk worker` is such a process: the same lifespan, without HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from server.assembly import Frontdesk
from server.delivery import DeliveryWorker
from server.settings import Settings
from server.stream_worker import StreamWorker
from server.turn_queue import TurnAnnouncer
from server.turn_queue_redis import RedisTurnAnnouncer, RedisTurnQueue, connect, stream_key
from server.worker import InboxWorker
from server.worker_names import worker_name


@dataclass(frozen=True)
class Processing:
    """What the webhook routes call after storing events, and the inbox loop this process may run."""

    wake: Callable[[], None] | None
    """Wakes the in-process worker (embedded mode)."""
    announcer: TurnAnnouncer | None
    """Announces to the worker processes (Redis mode)."""
    run_inbox: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
    """The inbox loop; runs until the event is set."""
    redis: Redis | None = None
    """The Redis client (Redis mode), for readiness."""


@asynccontextmanager
async def open_redis(settings: Settings) -> AsyncIterator[Redis | None]:
    """The process's Redis client when ``REDIS_URL`` is set (closed on exit), else None."""
    if settings.redis_url is None:
        yield None
        return
    client = connect(settings.redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@asynccontextmanager
async def open_processing(
    settings: Settings, desk: Frontdesk, redis: Redis | None, outbox: DeliveryWorker | None = None
) -> AsyncIterator[Processing]:
    """The embedded worker, or (with `redis`) the turn stream's announcer and reader.

    `outbox` sends each turn's replies as the turn completes (see `InboxWorker.outbox`).
    """
    inbox, runner = desk.stores.inbox, desk.runner
    if redis is None:
        worker = InboxWorker(inbox, runner, lease_s=settings.lease_s, burst_s=settings.burst_s, outbox=outbox)
        yield Processing(wake=worker.wake, announcer=None, run_inbox=worker.run)
        return
    stream, owner = stream_key(desk.playbook.business.id), worker_name()
    reader = StreamWorker(
        inbox,
        runner,
        RedisTurnQueue(redis, stream, consumer=owner, claim_idle_s=settings.lease_s),
        desk.deps.clock,
        owner=owner,
        outbox=outbox,
        lease_s=settings.lease_s,
        burst_s=settings.burst_s,
        concurrency=settings.worker_concurrency,
        sweep_s=settings.sweep_s,
    )
    yield Processing(
        wake=None, announcer=RedisTurnAnnouncer(redis, stream), run_inbox=reader.run, redis=redis
    )
