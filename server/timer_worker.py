"""The timer worker: fires due timers once each, within the rules, and queues what they write for sending.

Every worker process runs one; timers are claimed with a lease in the database, so two workers
never fire the same timer, and a timer whose worker died is fired again after the lease (its
message is keyed by the timer: recorded once). The worker sleeps until the next timer is due
(at most `idle_s`), so a timer fires within about a second of its time.

Without an index it asks the database every `idle_s`. With ``REDIS_URL`` it reads the Redis index
of due times instead (`RedisTimerIndex`): the database is asked only when the index says something
is due, and a wake-up published when a timer is scheduled ends the sleep at once. Claiming still
goes through the database. While Redis is unavailable the worker polls the database (logged once)
and tries the index again every `index_retry_s`, reconciling it when it is back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from agents.context import RunDeps
from agents.proactive.fire import Flow, Sent, fire
from agents.proactive.rules import DeferUntil, Drop, Handled
from server.outbox_queue import queue_for_sending
from server.timer_index import RedisTimerIndex, TimerIndexUnavailable
from server.worker_names import worker_name
from tools.timers import Timer, TimerStatus

log = logging.getLogger("frontdesk.timers")

MAX_FIRING_ATTEMPTS = 5
"""A timer whose flow failed this many times is dropped (and logged) instead of tried again."""


@dataclass
class TimerWorker:
    """Fires due timers for one process."""

    deps: RunDeps
    flows: Mapping[str, Flow]
    owner: str = field(default_factory=worker_name)
    lease_s: float = 60.0
    idle_s: float = 1.0
    wake_outbox: Callable[[], None] | None = None
    index: RedisTimerIndex | None = None
    """The Redis index of due times (``REDIS_URL``); None: the database is polled every `idle_s`."""
    index_retry_s: float = 5.0
    """While the index is unavailable, how often it is tried again."""
    limit: int = 50
    """Timers claimed at a time."""
    _woken: asyncio.Event = field(default_factory=asyncio.Event)
    _sleeps_until: float = math.inf
    """The epoch second the worker plans to look again (a wake-up for a later timer is ignored)."""
    _index_down: bool = False
    _index_retry_at: float = 0.0

    async def run_once(self, *, limit: int = 50) -> int:
        """Fire every due timer (up to `limit`); returns how many were taken."""
        return len(await self._claim_and_fire(limit))

    async def _claim_and_fire(self, limit: int) -> list[Timer]:
        due = await self.deps.stores.timers.claim_due(self.owner, lease_s=self.lease_s, limit=limit)
        for timer in due:
            await self._fire(timer)
        return due

    async def _fire(self, timer: Timer) -> None:
        timers = self.deps.stores.timers
        try:
            outcome = await fire(self.deps, timer, self.flows)
        except Exception as error:  # a flow bug must not stop the other timers
            log.exception("timer %s (%s) failed", timer.id, timer.kind)
            if timer.attempts >= MAX_FIRING_ATTEMPTS:
                await timers.finish(
                    timer.id, TimerStatus.DROPPED, outcome=f"failed: {type(error).__name__}: {error}"
                )
            else:
                retry = self.deps.clock.now() + timedelta(minutes=2**timer.attempts)
                await timers.defer(timer.id, retry, reason=f"failed: {type(error).__name__}: {error}")
            return
        if isinstance(outcome, Sent):
            await queue_for_sending(
                [outcome.message],
                conversations=self.deps.stores.conversations,
                inbox=self.deps.stores.inbox,
                details=outcome.details,
            )
            await timers.finish(timer.id, TimerStatus.DONE, outcome=f"sent {outcome.message.id}")
            if self.wake_outbox is not None:
                self.wake_outbox()
        elif isinstance(outcome, DeferUntil):
            await timers.defer(timer.id, outcome.at, reason=outcome.reason)
        elif isinstance(outcome, Handled):
            await timers.finish(timer.id, TimerStatus.DONE, outcome=outcome.outcome)
        elif isinstance(outcome, Drop):
            await timers.finish(timer.id, TimerStatus.DROPPED, outcome=outcome.reason)
        log.info("timer %s (%s): %s", timer.id, timer.kind, type(outcome).__name__)

    async def run(self, stop: asyncio.Event) -> None:
        """Fire timers as they come due until `stop` is set."""
        listener = None
        if self.index is not None:
            listener = asyncio.create_task(self.index.listen(self._wake), name="timer-wake-listener")
        try:
            while not stop.is_set():
                self._sleeps_until = math.inf  # a wake-up while looking means: look again
                self._woken.clear()
                wait = await self._step()
                self._sleeps_until = self.deps.clock.now().timestamp() + wait
                await self._sleep(stop, max(wait, 0.05))
        finally:
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    def _wake(self, moment: float) -> None:
        """A timer was scheduled or moved to `moment` (epoch seconds): look now if that is before the planned look."""
        if moment <= self._sleeps_until:
            self._woken.set()

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._woken.wait())}
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _step(self) -> float:
        """Fire what is due; returns how long to sleep."""
        if self.index is not None and time.monotonic() >= self._index_retry_at:
            try:
                return await self._step_indexed(self.index)
            except TimerIndexUnavailable as error:
                if not self._index_down:
                    log.warning(
                        "the timer index in Redis is unavailable (%s); polling the database for due timers",
                        error,
                    )
                self._index_down = True
                self._index_retry_at = time.monotonic() + self.index_retry_s
            except Exception:
                log.exception("timers could not be read; trying again")
                return self.idle_s
        return await self._step_polling()

    async def _step_indexed(self, index: RedisTimerIndex) -> float:
        """Ask the database only when the index says something is due; re-index what no claim returned."""
        now = self.deps.clock.now()
        look = await index.look(now, limit=self.limit, reconcile=self._index_down)
        if self._index_down:
            log.info("the timer index in Redis is back (reconciled with the database)")
            self._index_down = False
        if look.due:
            taken = await self._claim_and_fire(self.limit)
            if len(taken) < self.limit:  # a due one not taken: another worker's, moved, or gone
                await index.settle(set(look.due) - {timer.id for timer in taken})
            return 0.0 if taken else self.idle_s
        if look.next_at is None:
            return self.idle_s
        return min(self.idle_s, max(0.0, (look.next_at - now).total_seconds()))

    async def _step_polling(self) -> float:
        """Claim from the database and ask it when the next timer is due."""
        try:
            fired = await self.run_once(limit=self.limit)
            upcoming = await self.deps.stores.timers.next_due_at()
        except Exception:
            log.exception("timers could not be read; trying again")
            fired, upcoming = 0, None
        wait = self.idle_s
        if fired:
            wait = 0.0
        elif upcoming is not None:  # (a due one nobody could take is another worker's: wait idle_s)
            ahead = (upcoming - self.deps.clock.now()).total_seconds()
            wait = min(wait, ahead) if ahead > 0 else self.idle_s
        return wait
