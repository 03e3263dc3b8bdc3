"""A worker process's inbox loop when turns are announced on a shared turn queue (Redis).

It reads announcements, claims each announced conversation in the inbox, runs its turns, and
acknowledges the announcements once the inbox has nothing open for that conversation (checked
after they were received, so nothing announced later is acknowledged by mistake). A conversation
still in its burst window, or leased to another worker, is looked at again shortly; its
announcements stay unacknowledged meanwhile, so if this process dies another takes them over.

Ordering does not depend on Redis: the conversation lease in the database is the
per-conversation lock. The database is also the safety net: every `sweep_s` a free slot claims
conversations the stream has left alone (quiet for `sweep_s` + `burst_s` with something open), so
events whose announcement was lost in a Redis restart are answered; while the queue is unreachable
it claims whatever is open every `fallback_sweep_s`, as the embedded worker does. While the queue
works the sweep does not compete with the announced conversations, which it would only slow down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import ConversationRunner
from server.delivery import DeliveryWorker
from server.turn_queue import Announcement, TurnQueue
from server.worker import InboxWorker
from server.worker_names import worker_name
from tools.clock import Clock
from tools.inbox import InboxStore

log = logging.getLogger("frontdesk.worker")


@dataclass
class _Held:
    """Announcements of one conversation this process received and has not acknowledged."""

    entries: dict[str, tuple[float, Announcement]] = field(default_factory=dict)
    """Entry id → (monotonic time received, announcement)."""
    due: float = 0.0
    """When to look at the conversation again (monotonic)."""


@dataclass
class StreamWorker:
    """Runs announced turns with `concurrency` slots, each a lease owner of its own."""

    inbox: InboxStore
    runner: ConversationRunner
    queue: TurnQueue
    clock: Clock
    owner: str = field(default_factory=worker_name)
    outbox: DeliveryWorker | None = None
    """Sends each turn's replies as it completes (see `InboxWorker.outbox`)."""
    lease_s: float = 60.0
    burst_s: float = 2.0
    concurrency: int = 4
    """Turns run at once in this process (each waits on the database and the LLM, not only the CPU)."""
    sweep_s: float = 5.0
    """How often a free slot sweeps the inbox for conversations the stream has left alone."""
    fallback_sweep_s: float = 0.5
    retry_s: float = 0.25
    """How soon a conversation that could not be claimed (leased elsewhere) is tried again."""
    wait_s: float = 0.5
    max_held: int = 500
    """Conversations held locally before reading pauses (back pressure)."""
    _held: dict[str, _Held] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _queue_ok: bool = True

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; turns under way are finished, unacknowledged entries stay for others."""
        slots: asyncio.Queue[InboxWorker] = asyncio.Queue()
        for number in range(self.concurrency):
            slots.put_nowait(
                InboxWorker(
                    self.inbox,
                    self.runner,
                    owner=f"{self.owner}/{number}",
                    outbox=self.outbox,
                    lease_s=self.lease_s,
                    burst_s=self.burst_s,
                )
            )
        reader = asyncio.create_task(self._read(stop), name="turn-queue-reader")
        tasks: set[asyncio.Task[None]] = set()
        next_sweep = 0.0
        while not stop.is_set():
            now = time.monotonic()
            for key in self._ready(now):
                if slots.empty():
                    break
                self._busy.add(key)
                self._start(tasks, self._settle(slots.get_nowait(), slots, key))
            if now >= next_sweep and not slots.empty():
                next_sweep = now + (self.sweep_s if self._queue_ok else self.fallback_sweep_s)
                self._start(tasks, self._sweep(slots.get_nowait(), slots))
            self._changed.clear()
            wake = min([next_sweep, *(h.due for k, h in self._held.items() if k not in self._busy)])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.01, min(self.wait_s, wake - now)))
        reader.cancel()
        await asyncio.gather(reader, *tasks, return_exceptions=True)

    def _start(self, tasks: set[asyncio.Task[None]], job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _ready(self, now: float) -> list[str]:
        ready = [(h.due, k) for k, h in self._held.items() if h.due <= now and k not in self._busy]
        return [key for _, key in sorted(ready)]

    async def _read(self, stop: asyncio.Event) -> None:
        """Feed announcements into `_held`; on queue errors back off and let the sweep carry the load."""
        backoff = 0.5
        while not stop.is_set():
            if len(self._held) >= self.max_held:
                await asyncio.sleep(0.05)
                continue
            try:
                received = await self.queue.receive(count=self.concurrency * 8, wait_s=self.wait_s)
            except Exception as error:
                if self._queue_ok:
                    log.warning("the turn queue is unavailable (%s); sweeping the inbox instead", error)
                self._queue_ok = False
                self._changed.set()
                await asyncio.sleep(backoff)
                backoff = min(5.0, backoff * 2)
                continue
            if not self._queue_ok:
                log.info("the turn queue is back")
            self._queue_ok, backoff = True, 0.5
            await self._hold(received)

    async def _hold(self, received: Sequence[Announcement]) -> None:
        now = time.monotonic()
        junk = []
        for announcement in received:
            if not announcement.conversation_key:
                junk.append(announcement)
                continue
            held = self._held.setdefault(announcement.conversation_key, _Held(due=now))
            held.entries.setdefault(announcement.entry_id, (now, announcement))
        if junk:
            await self._acknowledge(junk)
        self._changed.set()

    async def _settle(self, slot: InboxWorker, slots: asyncio.Queue[InboxWorker], key: str) -> None:
        """Run the conversation's turns; acknowledge its announcements once nothing of it is open.

        A completed turn says whether anything of the conversation is still open (read as it
        completed), so the common case (the turn took everything) costs no second, empty claim;
        when nothing could be claimed one cheap read says it.
        """
        try:
            while True:
                ran = await slot.run_turn(conversation_key=key)
                if ran is not None:
                    checked, last = ran.checked_at, ran.last_open_at
                else:
                    checked = time.monotonic()
                    last = await self.inbox.last_open_at(key)
                held = self._held.get(key)
                if held is None:
                    return
                if last is None:
                    done = [a for at, a in held.entries.values() if at <= checked]
                    for announcement in done:
                        del held.entries[announcement.entry_id]
                    if not held.entries:
                        del self._held[key]
                    await self._acknowledge(done)
                    return
                quiet = (last - self.clock.now()).total_seconds() + self.burst_s
                if ran is not None and quiet <= 0:
                    continue
                held.due = time.monotonic() + max(self.retry_s, quiet)
                return
        except Exception:
            log.exception("conversation %s could not be processed; trying again", key)
            if key in self._held:
                self._held[key].due = time.monotonic() + 1.0
        finally:
            self._busy.discard(key)
            slots.put_nowait(slot)
            self._changed.set()

    async def _sweep(self, slot: InboxWorker, slots: asyncio.Queue[InboxWorker]) -> None:
        """Claim what is open in the inbox, announced or not (a bounded number of turns per pass).

        While the queue works only conversations quiet for `sweep_s` + `burst_s` are taken: the
        stream drives the others, and taking them here would only make their workers wait.
        """
        quiet_s = self.sweep_s + self.burst_s if self._queue_ok else None
        try:
            for _ in range(50):
                if not await slot.run_once(quiet_s=quiet_s):
                    break
        except Exception:
            log.exception("the inbox could not be swept; trying again")
        finally:
            slots.put_nowait(slot)
            self._changed.set()

    async def _acknowledge(self, announcements: list[Announcement]) -> None:
        try:
            await self.queue.acknowledge(announcements)
        except Exception as error:
            log.warning("could not acknowledge %d announcements (%s)", len(announcements), error)
