"""With ``REDIS_URL``, a sorted set of due timers: workers learn what is due from Redis, not by polling the database.

Keys, under ``frontdesk:<business id>:timers:``:

| key | what |
| --- | --- |
| ``due`` | sorted set: member a timer id, score the epoch second it can be claimed (its due time, or its lease's end while a worker holds it) |
| ``wake`` | pub/sub channel: the score of a timer just scheduled or moved, so sleeping workers look again when it is sooner than they planned |
| ``reconciled`` | marker set by the worker whose turn it is to reconcile (``SET NX``, expiring after `reconcile_s`) |

The database stays the truth and the only lock: workers still claim through it (``FOR UPDATE
SKIP LOCKED``), so two workers that both read an id fire it once. Redis only saves the idle polling:
a worker reads ``ZRANGEBYSCORE`` once a second and asks the database only when something is due.

Drift is repaired from the database. Every `reconcile_s` one worker (whoever sets the marker) loads
the pending timers claimable within `horizon_s` into the set and removes members the database no
longer has pending. The marker goes with a flush or a restart of Redis, so the next worker to look
reconciles at once. Timers cancelled by group are pruned lazily: a due member no claim returned is
re-read from the database and indexed as it is (or removed). Writes never fail a caller: a timer
whose indexing failed is found by the next reconciliation, which a later successful write brings
forward by deleting the marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from tools.clock import Clock
from tools.timer_due import TimerDueTimes, claimable_at
from tools.timers import Timer

log = logging.getLogger("frontdesk.timers")

RECONCILE_LIMIT = 10_000
"""Pending timers loaded per reconciliation (past it, nothing is removed: a later one finishes the job)."""
SUBSCRIBE_TIMEOUT_S = 5.0
RECONNECT_MAX_S = 5.0


class TimerIndexUnavailable(Exception):
    """Redis could not be reached or answered with an error: the worker polls the database instead."""


@dataclass(frozen=True)
class Look:
    """What the index says at one moment."""

    due: list[str]
    """Ids of timers claimable now, earliest first."""
    next_at: datetime | None
    """The earliest claimable moment in the index (now or past when `due` is not empty); None when it is empty."""


@dataclass
class RedisTimerIndex:
    """The due times of one business's timers in Redis."""

    client: Redis
    namespace: str
    """``frontdesk:<business id>``."""
    due_times: TimerDueTimes
    clock: Clock
    reconcile_s: float = 30.0
    """How often one worker reloads the index from the database."""
    horizon_s: float = 120.0
    """How far ahead a reconciliation loads timers (more than `reconcile_s`: the next one covers the rest)."""
    pause_s: float = 5.0
    """After a failed write, writes are skipped this long (no Redis time-outs in every turn during an outage)."""
    _paused_until: float = 0.0
    _missed: bool = False

    @property
    def due_key(self) -> str:
        """The sorted set of due times."""
        return f"{self.namespace}:timers:due"

    @property
    def marker_key(self) -> str:
        """Present while the last reconciliation is recent."""
        return f"{self.namespace}:timers:reconciled"

    @property
    def channel(self) -> str:
        """Where wake-ups are published."""
        return f"{self.namespace}:timers:wake"

    async def record(self, timers: Sequence[Timer], *, wake: bool = False) -> None:
        """Index these timers as they now stand: pending ones at their claimable moment, the others removed.

        With `wake`, workers sleeping past the earliest of them are woken. Never raises: a failure is
        logged and the timers are left to reconciliation.
        """
        if not timers:
            return
        if time.monotonic() < self._paused_until:
            self._missed = True
            return
        due = {
            timer.id: moment.timestamp() for timer in timers if (moment := claimable_at(timer)) is not None
        }
        gone = [timer.id for timer in timers if timer.id not in due]
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                if due:
                    pipe.zadd(self.due_key, due)  # type: ignore[arg-type]
                if gone:
                    pipe.zrem(self.due_key, *gone)
                if wake and due:
                    pipe.publish(self.channel, repr(min(due.values())))
                if self._missed:
                    pipe.delete(self.marker_key)
                await pipe.execute()
        except (RedisError, OSError) as error:
            if not self._missed:
                log.warning(
                    "could not index timers in Redis (%s); workers will find them in the database", error
                )
            self._missed = True
            self._paused_until = time.monotonic() + self.pause_s
            return
        if self._missed:
            log.info("indexing timers in Redis again; the next worker to look reconciles the index")
        self._missed = False

    async def look(self, now: datetime, *, limit: int, reconcile: bool = False) -> Look:
        """The timers due at `now` (at most `limit`), reconciling first when it is this process's turn (or `reconcile`).

        Raises `TimerIndexUnavailable` when Redis fails; a database failure while reconciling is
        logged and the index is read as it is.
        """
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.set(self.marker_key, "1", px=max(1, round(self.reconcile_s * 1000)), nx=not reconcile)
                self._read(pipe, now, limit)
                turn, due, first = await pipe.execute()
            if turn:
                await self._reconcile_logged()
                async with self.client.pipeline(transaction=False) as pipe:
                    self._read(pipe, now, limit)
                    due, first = await pipe.execute()
        except (RedisError, OSError) as error:
            raise TimerIndexUnavailable(f"{type(error).__name__}: {error}") from error
        return Look(
            due=[_text(member) for member in due],
            next_at=datetime.fromtimestamp(float(first[0][1]), UTC) if first else None,
        )

    def _read(self, pipe: object, now: datetime, limit: int) -> None:
        pipe.zrangebyscore(self.due_key, "-inf", now.timestamp(), start=0, num=limit)  # type: ignore[attr-defined]
        pipe.zrange(self.due_key, 0, 0, withscores=True)  # type: ignore[attr-defined]

    async def _reconcile_logged(self) -> None:
        try:
            await self.reconcile()
        except (RedisError, OSError):
            raise
        except Exception:  # the database: the index stays as it is until the next turn
            log.exception("the timer index could not be reconciled with the database")

    async def reconcile(self) -> None:
        """Load the pending timers claimable within `horizon_s` and drop members the database has not pending.

        Only members read before the database are dropped, so a timer indexed meanwhile stays.
        """
        until = self.clock.now() + timedelta(seconds=self.horizon_s)
        members: list[bytes] = await self.client.zrangebyscore(self.due_key, "-inf", until.timestamp())  # type: ignore[assignment]
        indexed = {_text(member) for member in members}
        pending = await self.due_times.claimable_until(until, limit=RECONCILE_LIMIT)
        stale = indexed - pending.keys() if len(pending) < RECONCILE_LIMIT else set()
        async with self.client.pipeline(transaction=False) as pipe:
            if pending:
                pipe.zadd(self.due_key, {key: moment.timestamp() for key, moment in pending.items()})
                pipe.publish(self.channel, repr(min(moment.timestamp() for moment in pending.values())))
            if stale:
                pipe.zrem(self.due_key, *stale)
            await pipe.execute()
        restored = len(pending.keys() - indexed)
        if restored or stale:
            log.info(
                "reconciled the timer index: %d restored from the database, %d removed", restored, len(stale)
            )

    async def settle(self, timer_ids: Collection[str]) -> None:
        """Index these timers (due by the index, yet no claim returned them) as the database has them now.

        Raises `TimerIndexUnavailable` when Redis fails.
        """
        if not timer_ids:
            return
        moments = await self.due_times.claimable_at(timer_ids)
        gone = [timer_id for timer_id in timer_ids if timer_id not in moments]
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                if moments:
                    pipe.zadd(self.due_key, {key: moment.timestamp() for key, moment in moments.items()})
                if gone:
                    pipe.zrem(self.due_key, *gone)
                await pipe.execute()
        except (RedisError, OSError) as error:
            raise TimerIndexUnavailable(f"{type(error).__name__}: {error}") from error

    async def listen(self, wake: Callable[[float], None]) -> None:
        """Call `wake` with the moment (epoch seconds) of every timer scheduled or moved anywhere, until cancelled.

        After each (re)subscription `wake(-inf)`: what was published while not subscribed is missed,
        so the worker looks again. Failures are retried with backoff; the worker's own reads of the
        index (once a second) and its fallback to the database cover the time in between.
        """
        failures = 0
        while True:
            pubsub = self.client.pubsub()
            try:
                await self._subscribe(pubsub)
                if failures:
                    log.info("timer wake-ups from Redis are back")
                failures = 0
                wake(-math.inf)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message["type"] == "message":
                        wake(_moment(message["data"]))
            except (RedisError, OSError, TimeoutError) as error:
                failures += 1
                log.debug("timer wake-ups from Redis: %s", error)
                await asyncio.sleep(min(RECONNECT_MAX_S, 0.2 * 2**failures))
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _subscribe(self, pubsub: PubSub) -> None:
        """Subscribe and wait until Redis confirms (from then on nothing published is missed)."""
        await pubsub.subscribe(self.channel)
        async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
            while True:
                message = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_S)
                if message is not None and message["type"] == "subscribe":
                    return


def _moment(data: bytes | str) -> float:
    """A published score; anything else wakes the worker at once."""
    try:
        return float(_text(data))
    except ValueError:
        return -math.inf


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
