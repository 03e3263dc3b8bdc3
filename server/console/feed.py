"""Live updates for the console: which conversations changed, pushed to every open console page.

The feed reads the change from the database (each conversation's ``updated_at``), not from
messages passed between processes: whichever process or worker wrote a message, an owner change
or an approval, every API process sees it, and nothing is missed while Redis restarts. One poll
per process (not per browser), twice a second, and only while some console page is open.

Timestamps come from each writer's clock, so the poll looks back `OVERLAP_S` and remembers what it
already reported: a change stamped slightly in the past (another machine's clock, a transaction
that committed late) is still reported, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from tools.conversation_list import ConversationListing

log = logging.getLogger("frontdesk.console")

POLL_S = 0.5
OVERLAP_S = 5.0
QUEUE_CHANGES = 512


class Watcher:
    """One open console page's queue of changed conversation ids."""

    def __init__(self) -> None:
        self._changed: asyncio.Queue[str] = asyncio.Queue(QUEUE_CHANGES)
        self.overflowed = False
        """Changes were dropped: the page should reload its whole list."""

    def put(self, conversation_id: str) -> None:
        """Queue a changed conversation (dropped, and `overflowed` set, when the page is far behind)."""
        try:
            self._changed.put_nowait(conversation_id)
        except asyncio.QueueFull:
            self.overflowed = True

    async def next_batch(self, *, timeout_s: float) -> list[str]:
        """The changed ids queued so far (waiting up to `timeout_s` for the first), without repeats."""
        try:
            first = await asyncio.wait_for(self._changed.get(), timeout_s)
        except TimeoutError:
            return []
        batch = [first]
        while not self._changed.empty():
            batch.append(self._changed.get_nowait())
        return list(dict.fromkeys(batch))


class ConsoleFeed:
    """Polls for changed conversations while pages watch; fans each change out to this process's watchers."""

    def __init__(
        self, listing: ConversationListing, now: Callable[[], datetime], *, poll_s: float = POLL_S
    ) -> None:
        self._listing = listing
        self._now = now
        self._poll_s = poll_s
        self._watchers: set[Watcher] = set()
        self._task: asyncio.Task[None] | None = None
        self._seen: dict[str, datetime] = {}
        self._since: datetime | None = None

    @contextlib.asynccontextmanager
    async def watch(self) -> AsyncIterator[Watcher]:
        """Receive changes while the context is open (the poll runs while anyone watches)."""
        watcher = Watcher()
        self._watchers.add(watcher)
        if self._task is None or self._task.done():
            self._since = self._now()
            self._seen.clear()
            self._task = asyncio.create_task(self._poll(), name="console-feed")
        try:
            yield watcher
        finally:
            self._watchers.discard(watcher)
            if not self._watchers and self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None

    async def close(self) -> None:
        """Stop polling (server shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        while self._watchers:
            try:
                self._report(await self._changes())
            except Exception:  # a database hiccup must not end the live updates
                log.warning("console feed: could not read changes; trying again", exc_info=True)
            await asyncio.sleep(self._poll_s)

    async def _changes(self) -> list[str]:
        assert self._since is not None
        changes = await self._listing.changed_since(self._since - timedelta(seconds=OVERLAP_S))
        fresh = [c for c in changes if self._seen.get(c.conversation_id) != c.at]
        for change in fresh:
            self._seen[change.conversation_id] = change.at
        if changes:
            newest = max(change.at for change in changes)
            self._since = max(self._since, newest)
            horizon = self._since - timedelta(seconds=OVERLAP_S * 2)
            self._seen = {key: at for key, at in self._seen.items() if at >= horizon}
        return [change.conversation_id for change in fresh]

    def _report(self, changed: list[str]) -> None:
        for conversation_id in changed:
            for watcher in self._watchers:
                watcher.put(conversation_id)
