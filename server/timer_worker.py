"""The timer worker: fires due timers once each, within the rules, and queues what they write for sending.

Every worker process runs one; timers are claimed with a lease in the database, so two workers
never fire the same timer, and a timer whose worker died is fired again after the lease (its
message is keyed by the timer: recorded once). The worker sleeps until the next timer is due
(at most `idle_s`), so a timer fires within about a second of its time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from agents.context import RunDeps
from agents.proactive.fire import Flow, Sent, fire
from agents.proactive.rules import DeferUntil, Drop, Handled
from server.outbox_queue import queue_for_sending
from server.worker import worker_name
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

    async def run_once(self, *, limit: int = 50) -> int:
        """Fire every due timer (up to `limit`); returns how many were taken."""
        timers = self.deps.stores.timers
        due = await timers.claim_due(self.owner, lease_s=self.lease_s, limit=limit)
        for timer in due:
            await self._fire(timer)
        return len(due)

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
                [outcome.message], conversations=self.deps.stores.conversations, inbox=self.deps.stores.inbox
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
        while not stop.is_set():
            try:
                fired = await self.run_once()
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(wait, 0.05))
