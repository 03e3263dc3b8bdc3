"""The turn queue: how a process that stored inbound events tells workers which conversations have news.

An announcement is only a hint. The inbox in the database is the truth: a worker told about a
conversation claims it there (the conversation lease is the per-conversation lock, so turns run
one at a time and in order), and every worker also sweeps the inbox now and then, so an event
whose announcement was lost (the queue was down, or lost its data) is still answered.

Two implementations: in one process the webhook wakes the in-process `InboxWorker`
(`InProcessAnnouncer`); with ``REDIS_URL`` announcements go to a Redis stream read by a consumer
group of worker processes (`server.turn_queue_redis`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Announcement:
    """A note that a conversation has new inbound events."""

    conversation_key: str
    entry_id: str
    """The queue's id of the note (a Redis stream entry id), used to acknowledge it."""


class TurnAnnouncer(Protocol):
    """Announces conversations that have new events; used by the webhook routes after storing them."""

    async def announce(self, conversation_keys: Collection[str]) -> None:
        """Tell workers; never raises (a lost announcement is picked up by the workers' inbox sweep)."""
        ...


class TurnQueue(Protocol):
    """The workers' side: announcements to work on, acknowledged once the inbox has nothing open for them."""

    async def receive(self, *, count: int, wait_s: float) -> Sequence[Announcement]:
        """Up to `count` announcements: new ones, or ones a dead worker left unacknowledged; waits up to `wait_s`."""
        ...

    async def acknowledge(self, announcements: Sequence[Announcement]) -> None:
        """The announced conversations have nothing open any more: forget these announcements."""
        ...


@dataclass(frozen=True)
class InProcessAnnouncer:
    """Wakes the worker of this process (the embedded mode)."""

    wake: Callable[[], None]

    async def announce(self, conversation_keys: Collection[str]) -> None:
        """Wake the worker if anything was announced."""
        if conversation_keys:
            self.wake()
