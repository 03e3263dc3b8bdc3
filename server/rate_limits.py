"""Per-recipient and per-number send limits: sliding windows shared by everything that sends.

Each `SendRequest` names the limits it falls under (`RateLimit`: at most `calls` in any `per_s`
seconds for a key such as ``telegram:chat:123`` or ``whatsapp:number:1065…``). Before a call the
sender asks `reserve`: 0 means go (the call is counted), otherwise the seconds to wait. In one
process the windows live in memory; with Redis (several worker processes) they live in sorted
sets, checked and counted atomically by one script.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis

from server.channels import RateLimit


class SendLimiter(Protocol):
    """Counts provider calls against their limits."""

    async def reserve(self, limits: Sequence[RateLimit]) -> float:
        """0.0 when a call may go now (it is counted); else the seconds until it may."""
        ...


@dataclass
class MemoryLimiter:
    """Sliding windows in this process (embedded mode)."""

    _calls: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    async def reserve(self, limits: Sequence[RateLimit]) -> float:
        """0.0 when a call may go now (it is counted); else the seconds until it may."""
        now = time.monotonic()
        wait = 0.0
        for limit in limits:
            calls = self._calls[limit.key]
            while calls and calls[0] <= now - limit.per_s:
                calls.popleft()
            if len(calls) >= limit.calls:
                wait = max(wait, calls[0] + limit.per_s - now)
        if wait > 0:
            return wait
        for limit in limits:
            self._calls[limit.key].append(now)
        return 0.0


_RESERVE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local calls = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now_ms - window)
  if redis.call('ZCARD', key) >= calls then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now_ms
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
local member = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now_ms, member .. ':' .. now_ms)
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i]))
end
return 0
"""


@dataclass
class RedisLimiter:
    """Sliding windows in Redis, shared by every worker process."""

    redis: Redis
    prefix: str = "frontdesk:ratelimit:"
    _name: str = field(default_factory=lambda: uuid.uuid4().hex)
    _sequence: int = 0

    async def reserve(self, limits: Sequence[RateLimit]) -> float:
        """0.0 when a call may go now (it is counted); else the seconds until it may."""
        if not limits:
            return 0.0
        self._sequence += 1
        keys = [self.prefix + limit.key for limit in limits]
        args: list[str] = []
        for limit in limits:
            args += [str(limit.calls), str(max(1, round(limit.per_s * 1000)))]
        args.append(f"{self._name}:{self._sequence}")
        waited = await self.redis.eval(_RESERVE, len(keys), *keys, *args)  # type: ignore[no-untyped-call]
        return float(waited) / 1000.0
