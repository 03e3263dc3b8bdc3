"""The staff-alert outbox on SQL.

Dispatching and claiming each run in one write transaction. On PostgreSQL the rows are
locked with ``FOR UPDATE SKIP LOCKED`` so that several processes share the work without
waiting on each other; on SQLite the write lock (``BEGIN IMMEDIATE``, see `writing`)
serializes them. The unique (notification, target) pair makes dispatching idempotent even
if two dispatchers ever race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import NotFound
from tools.ids import NotificationId, new_id
from tools.notifications import Notification, NotificationKind
from tools.sql.engine import reading, writing
from tools.sql.schema import notifications, staff_alerts
from tools.staff_alerts import AlertRoute, AlertStatus, StaffAlert, StaffAlertId

_NOTIFICATION = [column.label(f"n_{column.name}") for column in notifications.c]


def _alert(row: Row[Any]) -> StaffAlert:
    notification = Notification(
        NotificationId(row.n_id),
        NotificationKind(row.n_kind),
        row.n_recipient,
        row.n_title,
        row.n_body,
        row.n_link,
        row.n_created_at,
        row.n_read_at,
    )
    return StaffAlert(
        id=StaffAlertId(row.id),
        notification=notification,
        target=row.target,
        status=AlertStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        provider_response_id=row.provider_response_id,
        created_at=row.created_at,
    )


def _with_notification() -> Select[Any]:
    return select(staff_alerts, *_NOTIFICATION).join(
        notifications, notifications.c.id == staff_alerts.c.notification_id
    )


class SqlStaffAlerts:
    """`StaffAlertStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    @property
    def _postgres(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    async def dispatch(self, routes: Sequence[AlertRoute], *, limit: int = 100) -> int:
        """Create the alerts of notifications not yet dispatched (one per matching route); returns how many."""
        query = (
            select(notifications.c.id, notifications.c.kind, notifications.c.recipient)
            .where(notifications.c.dispatched_at.is_(None))
            .order_by(notifications.c.created_at, notifications.c.id)
            .limit(limit)
        )
        if not await self._any(query):
            return 0
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        now = self._clock.now()
        created = 0
        async with writing(self._engine) as connection, connection.begin():
            pending = (await connection.execute(query)).all()
            for row in pending:
                for route in routes:
                    if route.matches(NotificationKind(row.kind), row.recipient):
                        created += await self._insert_once(connection, row.id, route.target)
            if pending:
                await connection.execute(
                    update(notifications)
                    .where(notifications.c.id.in_([row.id for row in pending]))
                    .values(dispatched_at=now)
                )
        return created

    async def _any(self, query: Select[Any]) -> bool:
        """Whether `query` finds a row, read without taking the write lock (most rounds find nothing)."""
        async with reading(self._engine) as connection:
            return (await connection.execute(query.limit(1))).first() is not None

    async def _insert_once(self, connection: AsyncConnection, notification_id: str, target: str) -> int:
        dialect = postgresql if self._postgres else sqlite
        now = self._clock.now()
        statement = (
            dialect.insert(staff_alerts)
            .values(
                id=new_id("sa"),
                notification_id=notification_id,
                target=target,
                status=AlertStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(staff_alerts.c.id)
        )
        return 1 if (await connection.execute(statement)).first() is not None else 0

    async def claim(self, owner: str, *, lease_s: float, limit: int = 20) -> list[StaffAlert]:
        """Take due pending alerts for `lease_s` seconds; another worker gets them only after that."""
        now = self._clock.now()
        due = (
            select(staff_alerts.c.id)
            .where(
                staff_alerts.c.status == AlertStatus.PENDING.value,
                staff_alerts.c.next_attempt_at <= now,
            )
            .order_by(staff_alerts.c.next_attempt_at, staff_alerts.c.created_at, staff_alerts.c.id)
            .limit(limit)
        )
        if not await self._any(due):
            return []
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        async with writing(self._engine) as connection, connection.begin():
            ids = list((await connection.execute(due)).scalars())
            if not ids:
                return []
            await connection.execute(
                update(staff_alerts)
                .where(staff_alerts.c.id.in_(ids))
                .values(next_attempt_at=now + timedelta(seconds=lease_s), claimed_by=owner, updated_at=now)
            )
            rows = (
                await connection.execute(
                    _with_notification()
                    .where(staff_alerts.c.id.in_(ids))
                    .order_by(staff_alerts.c.created_at, staff_alerts.c.id)
                )
            ).all()
        return [_alert(row) for row in rows]

    async def _change(self, alert_id: StaffAlertId, *, tried: bool = True, **values: Any) -> StaffAlert:
        if tried:
            values["attempts"] = staff_alerts.c.attempts + 1
        async with writing(self._engine) as connection, connection.begin():
            changed = await connection.execute(
                update(staff_alerts)
                .where(staff_alerts.c.id == alert_id)
                .values(updated_at=self._clock.now(), **values)
            )
            if changed.rowcount != 1:
                raise NotFound(f"no staff alert {alert_id!r}")
            row = (await connection.execute(_with_notification().where(staff_alerts.c.id == alert_id))).one()
        return _alert(row)

    async def sent(self, alert_id: StaffAlertId, *, provider_response_id: str | None) -> StaffAlert:
        """The target accepted the alert."""
        return await self._change(
            alert_id,
            status=AlertStatus.SENT.value,
            provider_response_id=provider_response_id,
            last_error=None,
            claimed_by=None,
        )

    async def retry(self, alert_id: StaffAlertId, *, after_s: float, error: str) -> StaffAlert:
        """Try again in `after_s` seconds."""
        return await self._change(
            alert_id,
            next_attempt_at=self._clock.now() + timedelta(seconds=after_s),
            last_error=error[:2000],
            claimed_by=None,
        )

    async def postpone(self, alert_id: StaffAlertId, *, after_s: float) -> StaffAlert:
        """Put a claimed alert back for `after_s` seconds without counting a try (its target asked to wait)."""
        return await self._change(
            alert_id,
            tried=False,
            next_attempt_at=self._clock.now() + timedelta(seconds=after_s),
            claimed_by=None,
        )

    async def dead_letter(self, alert_id: StaffAlertId, *, error: str) -> StaffAlert:
        """Give up on the alert."""
        return await self._change(
            alert_id, status=AlertStatus.DEAD.value, last_error=error[:2000], claimed_by=None
        )

    async def alerts(
        self, *, status: AlertStatus | None = None, target: str | None = None
    ) -> list[StaffAlert]:
        """Alerts, oldest first."""
        query = _with_notification().order_by(staff_alerts.c.created_at, staff_alerts.c.id)
        if status is not None:
            query = query.where(staff_alerts.c.status == status.value)
        if target is not None:
            query = query.where(staff_alerts.c.target == target)
        async with reading(self._engine) as connection:
            return [_alert(row) for row in (await connection.execute(query)).all()]
