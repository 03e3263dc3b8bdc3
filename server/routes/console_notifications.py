"""Notifications inside the console: hot leads, approvals waiting, escalations, failed sends, each with its link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.console.auth import StaffDep
from server.console.pages import back_to, console_page
from server.console.views import when
from server.deps import StateDep
from tools.errors import NotFound
from tools.ids import NotificationId
from tools.notifications import Notification

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

NOTIFICATIONS = "/console/notifications"
SHOWN = 200


@dataclass(frozen=True)
class NotificationLine:
    """One notification as the list shows it."""

    id: str
    kind: str
    title: str
    body: str
    link: str | None
    """A console path (the stored link may carry the server's public address)."""
    created: str
    unread: bool


def console_link(link: str | None) -> str | None:
    """The console path of a notification's link (None when it points elsewhere)."""
    if not link:
        return None
    parts = urlsplit(link)
    if not parts.path.startswith("/console"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _line(notification: Notification, zone: ZoneInfo) -> NotificationLine:
    return NotificationLine(
        id=notification.id,
        kind=notification.kind.value,
        title=notification.title,
        body=notification.body,
        link=console_link(notification.link),
        created=when(notification.created_at, zone),
        unread=notification.read_at is None,
    )


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(request: Request, state: StateDep, session: StaffDep) -> HTMLResponse:
    """The newest notifications, unread first marked."""
    found = (await state.stores.notifications.list_notifications())[:SHOWN]
    return await console_page(
        request,
        state,
        session,
        "console/notifications.html",
        section="notifications",
        notifications=[_line(n, state.playbook.business.zone) for n in found],
    )


@router.post("/notifications/{notification_id}/read")
async def mark_read(notification_id: str, state: StateDep, session: StaffDep) -> Response:
    """Mark one notification read (for everyone)."""
    try:
        await state.stores.notifications.mark_read(
            NotificationId(notification_id),
            key=f"console-read:{notification_id}",
            actor=session.account.actor,
        )
    except NotFound as error:
        return back_to(NOTIFICATIONS, NOTIFICATIONS, flash=str(error), error=True)
    return back_to(NOTIFICATIONS, NOTIFICATIONS)


@router.post("/notifications/read")
async def mark_all_read(state: StateDep, session: StaffDep) -> Response:
    """Mark every unread notification read."""
    store = state.stores.notifications
    batch = uuid.uuid4().hex[:8]
    for notification in await store.list_notifications(unread_only=True):
        await store.mark_read(
            notification.id, key=f"console-read-all:{batch}:{notification.id}", actor=session.account.actor
        )
    return back_to(NOTIFICATIONS, NOTIFICATIONS)
