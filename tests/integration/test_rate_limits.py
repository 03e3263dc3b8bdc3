"""Send limits: in memory (one process) and in Redis (shared by every worker process)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.channels import RateLimit
from server.rate_limits import MemoryLimiter, RedisLimiter, SendLimiter

REDIS_URL = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:  # the suite needs Redis; say where it looked
        raise RuntimeError(
            f"Redis is not reachable at {REDIS_URL} ({error}); bash .ci/run starts it"
        ) from error
    yield client
    await client.aclose()


def _limiters(redis: Redis) -> list[SendLimiter]:
    prefix = f"test:{uuid.uuid4().hex}:"
    return [MemoryLimiter(), RedisLimiter(redis, prefix=prefix)]


async def test_a_recipient_gets_at_most_its_share_and_learns_how_long_to_wait(redis: Redis) -> None:
    for limiter in _limiters(redis):
        per_chat = RateLimit("telegram:chat:1", 2, 10.0)
        assert await limiter.reserve([per_chat]) == 0
        assert await limiter.reserve([per_chat]) == 0
        wait = await limiter.reserve([per_chat])
        assert 9.0 < wait <= 10.0, (type(limiter).__name__, wait)
        assert await limiter.reserve([RateLimit("telegram:chat:2", 2, 10.0)]) == 0, "other chats are free"


async def test_a_refused_call_is_not_counted_against_the_other_limits(redis: Redis) -> None:
    for limiter in _limiters(redis):
        tight, bot = RateLimit("chat:a", 1, 60.0), RateLimit("bot", 3, 60.0)
        assert await limiter.reserve([tight, bot]) == 0
        assert await limiter.reserve([tight, bot]) > 0
        assert await limiter.reserve([RateLimit("chat:b", 1, 60.0), bot]) == 0
        assert await limiter.reserve([RateLimit("chat:c", 1, 60.0), bot]) == 0
        assert await limiter.reserve([RateLimit("chat:d", 1, 60.0), bot]) > 0, "the bot-wide limit is 3"


async def test_two_processes_share_the_window_through_redis(redis: Redis) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    first, second = RedisLimiter(redis, prefix=prefix), RedisLimiter(redis, prefix=prefix)
    number = RateLimit("whatsapp:number:1065", 3, 1.0)
    granted = [await limiter.reserve([number]) == 0 for limiter in (first, second, first, second)]
    assert granted == [True, True, True, False]
