"""Turn announcements on a real Redis: concurrent webhooks share round trips, and every caller's entry is there when it returns."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.turn_queue_redis import FIELD, RedisTurnAnnouncer, connect
from tests.integration.test_rate_limits import REDIS_URL

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = connect(REDIS_URL)
    await client.ping()
    yield client
    await client.aclose()


async def _announced(redis: Redis, stream: str) -> list[str]:
    entries = await redis.xrange(stream) or []
    values = [(fields or {})[FIELD.encode()] for _, fields in entries]
    return [value.decode() if isinstance(value, bytes) else value for value in values]


async def test_every_webhooks_conversation_is_in_the_stream_when_its_announce_returns(redis: Redis) -> None:
    stream = f"test:{uuid.uuid4().hex}:turns"
    announcer = RedisTurnAnnouncer(redis, stream)
    seen_on_return: list[bool] = []
    readers = asyncio.Semaphore(8)

    async def webhook(key: str) -> None:
        await announcer.announce([key])
        async with readers:
            seen_on_return.append(key in await _announced(redis, stream))

    keys = [f"telegram:{n % 40}" for n in range(120)]
    await asyncio.gather(*(webhook(key) for key in keys))
    entries = await _announced(redis, stream)
    assert all(seen_on_return), "a webhook is answered only after its conversation is announced"
    assert set(entries) == set(keys)
    assert len(entries) < len(keys), "announcements made together are merged per conversation"
    await redis.delete(stream)


async def test_an_unreachable_redis_never_fails_the_webhook_and_is_left_alone_for_a_while() -> None:
    client = connect("redis://127.0.0.1:1/0")
    announcer = RedisTurnAnnouncer(client, "test:turns", pause_s=30.0)
    await asyncio.wait_for(asyncio.gather(*(announcer.announce([f"k{n}"]) for n in range(10))), 10)
    assert announcer._paused_until > 0, "the failure pauses announcing; the workers' sweep finds the events"
    await asyncio.wait_for(announcer.announce(["later"]), 0.5)
    await client.aclose()
