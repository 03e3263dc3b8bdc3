"""The timers contract against `RedisIndexedTimers`: the Redis-indexed store behaves as the SQL one does.

After each test every pending timer is in the index at the moment it can be claimed (cancelled
ones may linger: they are pruned when they come due).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.indexed_timers import index_timers
from tests.conftest import DATABASES
from tests.contracts import test_timers_contract as contract
from tests.integration.test_timer_index import business, redis  # noqa: F401  (fixtures)
from tools.clock import FrozenClock
from tools.sql import BusinessStores, open_stores
from tools.timer_due import claimable_at
from tools.timers import TimerStatus

pytestmark = [pytest.mark.redis, pytest.mark.parametrize("database_url", DATABASES, indirect=True)]

globals().update({name: test for name, test in vars(contract).items() if name.startswith("test_")})


@pytest.fixture
async def stores(
    database_url: str,
    clock: FrozenClock,
    redis: Redis,  # noqa: F811
    business: str,  # noqa: F811
) -> AsyncIterator[BusinessStores]:
    """Every business store on a fresh database, the timers indexed in Redis."""
    opened = await open_stores(database_url, clock=clock, migrate=False)
    indexed, index = index_timers(opened, redis, business_id=business, clock=clock)
    yield indexed
    pending = await indexed.timers.timers(status=TimerStatus.PENDING)
    scores = {timer.id: await redis.zscore(index.due_key, timer.id) for timer in pending}
    await opened.close()
    assert scores == {timer.id: claimable_at(timer).timestamp() for timer in pending}  # type: ignore[union-attr]
