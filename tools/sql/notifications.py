"""Staff notifications and the audit log on SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.audit import AuditEntry
from tools.errors import NotFound
from tools.ids import AuditId, NotificationId, new_id
from tools.notifications import NewNotification, Notification, NotificationKind
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import audit_log, notifications


def _notification(row: Row[Any]) -> Notification:
    return Notification(
        NotificationId(row.id),
        NotificationKind(row.kind),
        row.recipient,
        row.title,
        row.body,
        row.link,
        row.created_at,
        row.read_at,
    )


class SqlNotifications(SqlBase):
    """`NotificationStore` on SQLite or PostgreSQL."""

    async def notify(self, notification: NewNotification, *, key: str, actor: str = "system") -> Notification:
        """Store a notification for staff."""

        async def work(connection: AsyncConnection) -> str:
            notification_id = new_id("nf")
            await connection.execute(
                insert(notifications).values(
                    id=notification_id,
                    kind=notification.kind.value,
                    recipient=notification.recipient,
                    title=notification.title,
                    body=notification.body,
                    link=notification.link,
                    created_at=self._clock.now(),
                )
            )
            await self.audit(
                connection,
                Change(
                    "notification.created",
                    "notification",
                    notification_id,
                    f"{notification.kind.value} for {notification.recipient}",
                ),
                actor=actor,
                key=key,
            )
            return notification_id

        return await self.write(
            key=key, operation="notify", request=fingerprint(notification), work=work, load=self._get
        )

    async def _get(self, notification_id: str) -> Notification:
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(select(notifications).where(notifications.c.id == notification_id))
            ).first()
        if row is None:
            raise NotFound(f"no notification {notification_id!r}")
        return _notification(row)

    async def list_notifications(
        self, *, recipient: str | None = None, unread_only: bool = False
    ) -> list[Notification]:
        """Notifications, newest first."""
        query = select(notifications).order_by(notifications.c.created_at.desc(), notifications.c.id.desc())
        if recipient is not None:
            query = query.where(notifications.c.recipient == recipient)
        if unread_only:
            query = query.where(notifications.c.read_at.is_(None))
        async with reading(self._engine) as connection:
            return [_notification(row) for row in (await connection.execute(query)).all()]

    async def mark_read(
        self, notification_id: NotificationId, *, key: str, actor: str = "system"
    ) -> Notification:
        """Mark a notification read."""

        async def work(connection: AsyncConnection) -> str:
            await self._get(notification_id)
            await connection.execute(
                update(notifications)
                .where(notifications.c.id == notification_id, notifications.c.read_at.is_(None))
                .values(read_at=self._clock.now())
            )
            return str(notification_id)

        return await self.write(
            key=key, operation="mark_read", request=fingerprint(notification_id), work=work, load=self._get
        )


class SqlAuditLog(SqlBase):
    """`AuditLog` on SQLite or PostgreSQL."""

    async def entries(self, *, entity: str | None = None, entity_id: str | None = None) -> list[AuditEntry]:
        """Entries, oldest first."""
        query = select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
        if entity is not None:
            query = query.where(audit_log.c.entity == entity)
        if entity_id is not None:
            query = query.where(audit_log.c.entity_id == entity_id)
        async with reading(self._engine) as connection:
            rows = (await connection.execute(query)).all()
        return [
            AuditEntry(
                AuditId(r.id), r.at, r.actor, r.action, r.entity, r.entity_id, r.detail, r.idempotency_key
            )
            for r in rows
        ]
