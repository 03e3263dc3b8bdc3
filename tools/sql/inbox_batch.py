"""Group commit for the inbox: concurrent webhook events stored in one transaction.

Under load many webhooks arrive at once; each needs its event durably stored before the provider
is answered. Instead of one transaction (and one disk flush) per event, `AcceptBatcher` collects
the events that arrive while a write is under way and stores them together with one
``INSERT … ON CONFLICT DO NOTHING RETURNING id``. Alone, an event is written at once (a batch of
one); every caller still learns only after the commit whether its event was new.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_BATCH = 200
"""Events per transaction at most."""

InsertMany = Callable[[Sequence[dict[str, Any]]], Awaitable[set[str]]]
"""Stores rows in one transaction; returns the ids of the rows that were new."""


@dataclass
class AcceptBatcher:
    """Queues rows and writes them in batches with one flusher task per event loop."""

    insert_many: InsertMany
    _pending: list[tuple[dict[str, Any], asyncio.Future[bool]]] = field(default_factory=list)
    _flusher: asyncio.Task[None] | None = None

    async def store(self, row: dict[str, Any]) -> bool:
        """Store `row` (with its ``id``); True when it was new, False when its key was already stored."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        self._pending.append((row, done))
        if self._flusher is None or self._flusher.done() or self._flusher.get_loop() is not loop:
            self._flusher = loop.create_task(self._flush(), name="inbox-group-commit")
        return await done

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the requests already running add their events
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                new = await self.insert_many([row for row, _ in batch])
            except BaseException as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for row, done in batch:
                if not done.done():
                    done.set_result(row["id"] in new)
