"""Notifications for staff: stored here; delivery to Telegram, Slack or webhooks is the outbox's job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import NotificationId


class NotificationKind(StrEnum):
    """What a notification is about."""

    HOT_LEAD = "hot_lead"
    APPROVAL_PENDING = "approval_pending"
    ESCALATION = "escalation"
    INTERNAL_REQUEST = "internal_request"
    FAILED_SEND = "failed_send"
    SLA_BREACH = "sla_breach"
    TASK = "task"


@dataclass(frozen=True)
class NewNotification:
    """What is needed to notify staff."""

    kind: NotificationKind
    recipient: str
    """A staff id, or ``team:NAME``."""
    title: str
    body: str
    link: str | None = None
    """Where it leads in the console."""


@dataclass(frozen=True)
class Notification:
    """A notification for staff."""

    id: NotificationId
    kind: NotificationKind
    recipient: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationStore(Protocol):
    """Staff notifications."""

    async def notify(self, notification: NewNotification, *, key: str, actor: str = "system") -> Notification:
        """Store a notification for staff."""
        ...

    async def list_notifications(
        self, *, recipient: str | None = None, unread_only: bool = False
    ) -> list[Notification]:
        """Notifications, newest first."""
        ...

    async def mark_read(
        self, notification_id: NotificationId, *, key: str, actor: str = "system"
    ) -> Notification:
        """Mark a notification read."""
        ...
