"""Durable timers on SQL: scheduled once per key, claimed by one worker at a time under a lease.

Claiming is one statement: ``WITH due AS (SELECT … FOR UPDATE SKIP LOCKED) UPDATE … RETURNING``.
On PostgreSQL concurrent workers skip each other's locked rows and take disjoint sets; on SQLite
the lock clause is left out and writers are serialized (``BEGIN IMMEDIATE``, see `writing`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from tools.clock import Clock
from tools.errors import NotFound
from tools.ids import new_id
from tools.sql.engine import reading, single_write
from tools.sql.schema import timers as timer_table
from tools.sql.types import UtcDateTime
from tools.timers import NewTimer, Timer, TimerStatus

log = logging.getLogger("frontdesk.timers")

_PENDING = TimerStatus.PENDING.value
_NEW_TIMER = {
    name: dialect.insert(timer_table)
    .on_conflict_do_nothing(index_elements=[timer_table.c.key])
    .returning(*timer_table.c)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
"""A timer, unless its key has one (then no row comes back)."""
_TIMER_OF = select(timer_table).where(timer_table.c.key == bindparam("key"))
_CLAIMABLE_AT = case(
    (
        and_(timer_table.c.lease_until.is_not(None), timer_table.c.lease_until > timer_table.c.due_at),
        timer_table.c.lease_until,
    ),
    else_=timer_table.c.due_at,
)
"""When a pending timer can be claimed: its due time, or its lease's end when that is later."""


def _timer(row: Row[Any]) -> Timer:
    return Timer(
        id=row.id,
        key=row.key,
        kind=row.kind,
        due_at=row.due_at,
        group=row.group_key,
        subject=row.subject,
        conversation_id=row.conversation_id,
        contact_id=row.contact_id,
        data=dict(row.data or {}),
        expires_at=row.expires_at,
        status=TimerStatus(row.status),
        attempts=row.attempts,
        lease_owner=row.lease_owner,
        lease_until=row.lease_until,
        fired_at=row.fired_at,
        outcome=row.outcome,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, due, and not held by a worker whose lease is still running."""
    return and_(
        timer_table.c.status == _PENDING,
        timer_table.c.due_at <= now,
        or_(timer_table.c.lease_until.is_(None), timer_table.c.lease_until <= now),
    )


class SqlTimers:
    """`TimerStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def schedule(self, timer: NewTimer, *, key: str) -> Timer:
        """Schedule `timer` once per `key`: the same key returns the existing timer unchanged, whatever its status."""
        if not key:
            raise ValueError("every timer needs a non-empty key")
        now = self._clock.now()
        values = {
            "id": new_id("tm"),
            "key": key,
            "kind": timer.kind,
            "group_key": timer.group,
            "subject": timer.subject,
            "conversation_id": timer.conversation_id,
            "contact_id": timer.contact_id,
            "data": dict(timer.data),
            "due_at": timer.due_at,
            "expires_at": timer.expires_at,
            "status": _PENDING,
            "attempts": 0,
            "lease_owner": None,
            "lease_until": None,
            "fired_at": None,
            "outcome": None,
            "created_at": now,
            "updated_at": now,
        }
        async with single_write(self._engine) as connection:
            row = (await connection.execute(_NEW_TIMER[self._engine.dialect.name], values)).first()
            if row is None:
                row = (await connection.execute(_TIMER_OF, {"key": key})).one()
        return _timer(row)

    async def cancel(self, group: str, *, reason: str, kinds: frozenset[str] | None = None) -> int:
        """Cancel the group's pending timers (only these `kinds` when given) with `reason`; returns how many."""
        query = (
            update(timer_table)
            .where(timer_table.c.group_key == group, timer_table.c.status == _PENDING)
            .values(
                status=TimerStatus.CANCELLED.value,
                outcome=reason[:2000],
                lease_owner=None,
                lease_until=None,
                updated_at=self._clock.now(),
            )
        )
        if kinds is not None:
            query = query.where(timer_table.c.kind.in_(sorted(kinds)))
        async with single_write(self._engine) as connection:
            return (await connection.execute(query)).rowcount

    async def claim_due(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Timer]:
        """Take due pending timers whose lease is free for `lease_s` seconds, oldest due first, in one statement.

        The due rows are picked in a materialized CTE: PostgreSQL may rescan a ``LIMIT … FOR
        UPDATE`` subquery of ``IN`` once per row it updates, and each rescan skips the rows just
        updated and takes further ones, more than `limit`; a CTE runs once.
        """
        now = self._clock.now()
        due = (
            select(timer_table.c.id)
            .where(_claimable(now))
            .order_by(timer_table.c.due_at, timer_table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        taken = (
            update(timer_table)
            .where(timer_table.c.id.in_(select(due.c.id)))
            .values(
                lease_owner=owner,
                lease_until=now + timedelta(seconds=lease_s),
                attempts=timer_table.c.attempts + 1,
                updated_at=now,
            )
            .returning(*timer_table.c)
        )
        async with single_write(self._engine) as connection:
            rows = (await connection.execute(taken)).all()
        if rows:
            log.debug("%s took %d timers for %.0f s", owner, len(rows), lease_s)
        return sorted((_timer(row) for row in rows), key=lambda timer: (timer.due_at, timer.id))

    async def finish(self, timer_id: str, status: TimerStatus, *, outcome: str) -> Timer:
        """Record how a claimed timer ended and release it; NotFound for an unknown id.

        Only a pending timer changes, except that DONE is recorded over a cancel that raced the
        worker (the message went out); a timer already done stays as it was.
        """
        if status is TimerStatus.PENDING:
            raise ValueError("a timer finishes done, dropped or cancelled; use defer to keep it pending")
        if status is TimerStatus.DONE:
            return await self._change(
                timer_id,
                timer_table.c.status != TimerStatus.DONE.value,
                status=status.value,
                outcome=outcome[:2000],
                fired_at=self._clock.now(),
            )
        return await self._change(
            timer_id, timer_table.c.status == _PENDING, status=status.value, outcome=outcome[:2000]
        )

    async def defer(self, timer_id: str, due_at: datetime, *, reason: str) -> Timer:
        """Move a pending timer to `due_at` and release it (quiet hours, caps); NotFound for an unknown id."""
        return await self._change(
            timer_id, timer_table.c.status == _PENDING, due_at=due_at, outcome=reason[:2000]
        )

    async def _change(self, timer_id: str, when: ColumnElement[bool], **values: Any) -> Timer:
        """Change a timer that matches `when` and release its lease; otherwise return it unchanged."""
        async with single_write(self._engine) as connection:
            row = (
                await connection.execute(
                    update(timer_table)
                    .where(timer_table.c.id == timer_id, when)
                    .values(lease_owner=None, lease_until=None, updated_at=self._clock.now(), **values)
                    .returning(*timer_table.c)
                )
            ).first()
            if row is None:
                row = (
                    await connection.execute(select(timer_table).where(timer_table.c.id == timer_id))
                ).first()
        if row is None:
            raise NotFound(f"no timer {timer_id!r}")
        return _timer(row)

    async def next_due_at(self) -> datetime | None:
        """When a pending timer can next be claimed (its due time, or its lease's end when held); None when none is."""
        query = select(type_coerce(func.min(_CLAIMABLE_AT), UtcDateTime())).where(
            timer_table.c.status == _PENDING
        )
        async with reading(self._engine) as connection:
            earliest = (await connection.execute(query)).scalar()
        return None if earliest is None else _aware(earliest)

    async def timers(self, *, group: str | None = None, status: TimerStatus | None = None) -> list[Timer]:
        """Timers matching every filter given, by due time."""
        query = select(timer_table).order_by(timer_table.c.due_at, timer_table.c.id)
        if group is not None:
            query = query.where(timer_table.c.group_key == group)
        if status is not None:
            query = query.where(timer_table.c.status == status.value)
        async with reading(self._engine) as connection:
            return [_timer(row) for row in (await connection.execute(query)).all()]


def _aware(value: datetime | str) -> datetime:
    """An aggregate may come back from SQLite as a naive string: read it as UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
