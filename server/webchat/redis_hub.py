"""The web-chat hub over Redis pub/sub: frames cross processes (several API processes and workers).

Every frame is published on ``{namespace}:{session id}``. Each process holds one pub/sub
connection subscribed to the pattern ``{namespace}:*`` and hands each frame to its own
connections of that session through a `LocalHub`; a process without connections of the session
drops it. Redis keeps nothing: a browser that was offline reads the transcript on reconnect.

When the Redis connection breaks, the listener reconnects with backoff (redis-py subscribes
again); frames published meanwhile are missed by live connections and restored from history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from server.channels import MalformedPayload, WebchatFrame
from server.webchat.frames import decode_frame, encode_frame
from server.webchat.hub import LocalHub, Subscription, WebchatHub

log = logging.getLogger("frontdesk.webchat")

SUBSCRIBE_TIMEOUT_S = 5.0
RECONNECT_MAX_S = 10.0


class RedisHub:
    """Publishes to Redis; delivers what Redis brings to this process's connections."""

    def __init__(self, client: Redis, *, namespace: str) -> None:
        self._client = client
        self._namespace = namespace
        self._local = LocalHub()
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None

    def channel(self, session_id: str) -> str:
        """The Redis channel of a session."""
        return f"{self._namespace}:{session_id}"

    async def start(self) -> None:
        """Subscribe, wait until Redis confirms, and start listening."""
        pubsub = self._client.pubsub()
        await pubsub.psubscribe(self.channel("*"))
        async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
            while True:
                message = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_S)
                if message is not None and message["type"] == "psubscribe":
                    break
        self._pubsub = pubsub
        self._listener = asyncio.create_task(self._listen(pubsub), name="webchat-redis-listener")

    async def close(self) -> None:
        """Stop listening and unsubscribe."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    async def publish(self, session_id: str, frame: WebchatFrame) -> None:
        """Publish `frame` to every process; raises `RedisError` when Redis is unreachable."""
        await self._client.publish(self.channel(session_id), encode_frame(frame))

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the session's frames, from any process, while the context is open."""
        return self._local.subscribe(session_id)

    async def _listen(self, pubsub: PubSub) -> None:
        prefix = self.channel("")
        failures = 0
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (RedisError, OSError) as error:
                failures += 1
                wait = min(RECONNECT_MAX_S, 0.2 * 2**failures)
                log.warning("web chat Redis listener: %s; again in %.1f s", error, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            if message is None or message["type"] != "pmessage":
                continue
            channel = _text(message["channel"])
            try:
                frame = decode_frame(message["data"] if isinstance(message["data"], bytes) else b"")
            except MalformedPayload as error:
                log.warning("web chat Redis listener: skipped a frame on %s: %s", channel, error)
                continue
            self._local.deliver(channel.removeprefix(prefix), frame)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@contextlib.asynccontextmanager
async def open_webchat_hub(redis_url: str | None, *, namespace: str) -> AsyncIterator[WebchatHub]:
    """A `RedisHub` when `redis_url` is set (several processes), else a `LocalHub` (one process)."""
    if not redis_url:
        yield LocalHub()
        return
    client = Redis.from_url(redis_url)
    hub = RedisHub(client, namespace=f"{namespace}:webchat")
    try:
        await hub.start()
        yield hub
    finally:
        await hub.close()
        await client.aclose()
