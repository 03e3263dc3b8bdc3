"""The web-chat hub: frames for a session reach every live connection of that session.

A browser's WebSocket or SSE stream subscribes to its session; the outbox worker's web-chat
sender and the message routes publish to it. `LocalHub` fans out inside one process (embedded
mode); `server.webchat.redis_hub.RedisHub` carries frames between processes over Redis pub/sub,
so the process holding a browser's connection need not be the one running the outbox worker.

A hub never stores frames: a browser that is offline misses them and reads the transcript
(the history route) when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from server.channels import WebchatFrame

log = logging.getLogger("frontdesk.webchat")

QUEUE_FRAMES = 256
"""Frames a slow connection may fall behind by before newer ones are dropped (history restores them)."""


class Subscription:
    """The frames published to one session, for one connection, in order."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self._frames: asyncio.Queue[WebchatFrame] = asyncio.Queue(QUEUE_FRAMES)

    def put(self, frame: WebchatFrame) -> None:
        """Queue `frame` for this connection; dropped (and logged) when the connection is far behind."""
        try:
            self._frames.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning(
                "web chat %s is %d frames behind; dropped %s", self.session_id, QUEUE_FRAMES, frame.id
            )

    async def next(self, *, timeout_s: float) -> WebchatFrame | None:
        """The next frame, or None when none came within `timeout_s` (time for a keep-alive)."""
        try:
            return await asyncio.wait_for(self._frames.get(), timeout_s)
        except TimeoutError:
            return None


class WebchatHub(Protocol):
    """Delivers frames to the live connections of a session, wherever they are."""

    async def publish(self, session_id: str, frame: WebchatFrame) -> None:
        """Send `frame` to every connection of `session_id` (none is fine); raises when the hub is down."""
        ...

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the session's frames while the context is open."""
        ...


class LocalHub:
    """Fan-out inside one process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, session_id: str, frame: WebchatFrame) -> None:
        """Queue `frame` for this process's connections of the session."""
        self.deliver(session_id, frame)

    def deliver(self, session_id: str, frame: WebchatFrame) -> int:
        """Queue `frame` for the session's connections here; returns how many there are."""
        subscribers = self._subscribers.get(session_id, set())
        for subscription in subscribers:
            subscription.put(frame)
        return len(subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[Subscription]:
        """Receive the session's frames while the context is open."""
        subscription = Subscription(session_id)
        self._subscribers[session_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(session_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[session_id]

    def connections(self, session_id: str) -> int:
        """How many connections of the session this process holds."""
        return len(self._subscribers.get(session_id, ()))
