"""The turn queue on a Redis stream with a consumer group: announcements spread over worker processes.

The webhook routes ``XADD`` one entry ``{conversation: <key>}`` per conversation with news to
``frontdesk:<business id>:turns``. Every worker process reads the stream as one consumer of the
group ``workers`` (``XREADGROUP … >``), so each entry goes to one worker; the worker claims the
conversation in the inbox and ``XACK``s the entry once the inbox has nothing open for it. An entry
a worker took and never acknowledged (it died) is taken over by a live worker with ``XAUTOCLAIM``
once it has been idle longer than the lease.

Redis keeps nothing that matters: if it restarts empty, the group is created again, and events
announced meanwhile are found by the workers' inbox sweep. Errors never escape `announce`; the
workers' `receive` raises `QueueUnavailable` and the worker falls back to sweeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError
from redis.retry import Retry

from server.turn_queue import Announcement

log = logging.getLogger("frontdesk.turn_queue")

GROUP = "workers"
"""The consumer group every worker process joins."""
MAX_ENTRIES = 100_000
"""The stream is trimmed to about this many entries (announcements are hints; the inbox keeps the events)."""
FIELD = "conversation"


class QueueUnavailable(Exception):
    """Redis could not be reached or answered with an error; the worker sweeps the inbox instead."""


def stream_key(business_id: str) -> str:
    """The turn stream of one business."""
    return f"frontdesk:{business_id}:turns"


def connect(url: str) -> Redis:
    """A client that fails fast: no retry loop with backoff in the webhook path (the caller decides)."""
    client: Redis = Redis.from_url(
        url,
        socket_timeout=5.0,
        socket_connect_timeout=2.0,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=15,
    )
    return client


@dataclass
class RedisTurnAnnouncer:
    """``XADD``s announcements; after a failure it stays quiet for `pause_s` (the sweep covers that time).

    Concurrent webhooks share a round trip: the announcements made while one pipeline is under way
    go together in the next, and every caller returns once its own have been sent (or failed).
    """

    client: Redis
    stream: str
    pause_s: float = 1.0
    _paused_until: float = 0.0
    _pending: set[str] = field(default_factory=set)
    _flusher: asyncio.Task[None] | None = None

    async def announce(self, conversation_keys: Collection[str]) -> None:
        """Add one stream entry per conversation; log and carry on when Redis fails."""
        if not conversation_keys or time.monotonic() < self._paused_until:
            return
        self._pending.update(conversation_keys)
        loop = asyncio.get_running_loop()
        if self._flusher is None or self._flusher.done() or self._flusher.get_loop() is not loop:
            self._flusher = loop.create_task(self._flush(), name="turn-announcements")
        await asyncio.shield(self._flusher)

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the requests already running add theirs
        while self._pending:
            keys, self._pending = self._pending, set()
            if time.monotonic() < self._paused_until:
                continue
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for key in keys:
                        pipe.xadd(self.stream, {FIELD: key}, maxlen=MAX_ENTRIES, approximate=True)
                    await pipe.execute()
            except (RedisError, OSError) as error:
                log.warning(
                    "could not announce a turn to Redis (%s); workers will find it by sweeping", error
                )
                self._paused_until = time.monotonic() + self.pause_s


@dataclass
class RedisTurnQueue:
    """One worker process's reading side of the stream."""

    client: Redis
    stream: str
    consumer: str
    claim_idle_s: float = 60.0
    """Entries another consumer left unacknowledged this long are taken over (set it to the lease)."""
    _group_ready: bool = False
    _next_autoclaim: float = 0.0

    async def receive(self, *, count: int, wait_s: float) -> Sequence[Announcement]:
        """Abandoned entries first (checked every half `claim_idle_s`), then new ones, waiting up to `wait_s`."""
        try:
            await self._ensure_group()
            if time.monotonic() >= self._next_autoclaim:
                self._next_autoclaim = time.monotonic() + self.claim_idle_s / 2
                taken = await self._autoclaim(count)
                if taken:
                    return taken
            reply: list[Any] = await self.client.xreadgroup(  # type: ignore[assignment]
                GROUP, self.consumer, {self.stream: ">"}, count=count, block=max(1, int(wait_s * 1000))
            )
        except ResponseError as error:
            if "NOGROUP" in str(error):
                self._group_ready = False
            raise QueueUnavailable(str(error)) from error
        except (RedisError, OSError) as error:
            self._group_ready = False
            raise QueueUnavailable(f"{type(error).__name__}: {error}") from error
        return [
            announcement for _stream, entries in reply or [] for announcement in self._announcements(entries)
        ]

    async def acknowledge(self, announcements: Sequence[Announcement]) -> None:
        """``XACK`` the entries (raises `QueueUnavailable`; an unacknowledged entry is only re-checked later)."""
        if not announcements:
            return
        try:
            await self.client.xack(self.stream, GROUP, *(a.entry_id for a in announcements))
        except (RedisError, OSError) as error:
            raise QueueUnavailable(f"{type(error).__name__}: {error}") from error

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
            log.info("created the consumer group %s on %s", GROUP, self.stream)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    async def _autoclaim(self, count: int) -> list[Announcement]:
        min_idle = int(self.claim_idle_s * 1000)
        reply: list[Any] = await self.client.xautoclaim(
            self.stream, GROUP, self.consumer, min_idle, start_id="0-0", count=count
        )
        taken = self._announcements(reply[1] if len(reply) > 1 else [])
        if taken:
            log.info("took over %d turn announcements a dead or slow worker left", len(taken))
        return taken

    def _announcements(self, entries: Sequence[tuple[Any, Any]]) -> list[Announcement]:
        """Entries as announcements; a trimmed or foreign entry has an empty key (acknowledge and skip it)."""
        found = []
        for entry_id, fields in entries:
            key = (fields or {}).get(FIELD.encode())
            found.append(Announcement(_text(key) if key else "", _text(entry_id)))
        return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
