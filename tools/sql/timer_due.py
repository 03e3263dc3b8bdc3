"""`TimerDueTimes` on SQL: the claimable moments of pending timers, read from the timers table.

Both reads use the ``(status, due_at)`` index: a pending timer is claimable at its due time, or
at its lease's end when a worker holds it past that.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tools.sql.engine import reading
from tools.sql.schema import timers as timer_table
from tools.timers import TimerStatus

_PENDING = TimerStatus.PENDING.value
_CHUNK = 500
"""Ids asked about per statement (bound parameters stay well under every driver's limit)."""


class SqlTimerDueTimes:
    """`TimerDueTimes` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claimable_at(self, timer_ids: Collection[str]) -> dict[str, datetime]:
        """The claimable moment of each of these timers that is pending (the others are left out)."""
        ids = sorted(set(timer_ids))
        found: dict[str, datetime] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found |= await self._read(_moments().where(timer_table.c.id.in_(chunk)))
        return found

    async def claimable_until(self, until: datetime, *, limit: int) -> dict[str, datetime]:
        """Pending timers claimable at or before `until` with that moment, earliest due first, at most `limit`."""
        lease_ends_by: ColumnElement[bool] = or_(
            timer_table.c.lease_until.is_(None), timer_table.c.lease_until <= until
        )
        query = (
            _moments()
            .where(timer_table.c.due_at <= until, lease_ends_by)
            .order_by(timer_table.c.due_at, timer_table.c.id)
            .limit(limit)
        )
        return await self._read(query)

    async def _read(self, query: Select[tuple[str, datetime, datetime | None]]) -> dict[str, datetime]:
        async with reading(self._engine) as connection:
            rows = (await connection.execute(query)).all()
        return {
            row.id: row.lease_until
            if row.lease_until is not None and row.lease_until > row.due_at
            else row.due_at
            for row in rows
        }


def _moments() -> Select[tuple[str, datetime, datetime | None]]:
    return select(timer_table.c.id, timer_table.c.due_at, timer_table.c.lease_until).where(
        timer_table.c.status == _PENDING
    )
