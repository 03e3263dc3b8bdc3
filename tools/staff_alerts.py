"""Staff alerts: the outbox that carries staff notifications to Telegram, Slack and webhooks.

Every stored notification is dispatched once: one alert per matching target (unique per
notification and target), so a crash between storing a notification and dispatching it only
delays the alerts. Workers claim due alerts for a lease, send them, and record the outcome;
after too many failures an alert is dead-lettered (logged, never turned into another
notification, so a broken target cannot feed itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType, Protocol

from tools.notifications import Notification, NotificationKind

StaffAlertId = NewType("StaffAlertId", str)


class AlertStatus(StrEnum):
    """Where an alert stands."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True)
class AlertRoute:
    """Which notifications one target receives."""

    target: str
    """The target's id (``telegram``, ``slack``, ``ops-webhook``…)."""
    kinds: frozenset[NotificationKind] = frozenset()
    """Only these kinds; empty for all."""
    recipients: frozenset[str] = frozenset()
    """Only notifications for these staff ids or ``team:NAME``; empty for all."""

    def matches(self, kind: NotificationKind, recipient: str) -> bool:
        """Whether a notification of `kind` for `recipient` goes to this target."""
        return (not self.kinds or kind in self.kinds) and (
            not self.recipients or recipient in self.recipients
        )


@dataclass(frozen=True)
class StaffAlert:
    """One notification's delivery to one target."""

    id: StaffAlertId
    notification: Notification
    target: str
    status: AlertStatus
    attempts: int
    """Sends tried so far."""
    next_attempt_at: datetime
    """When it is due (or when the current claim's lease ends)."""
    last_error: str | None
    provider_response_id: str | None
    """What the target called the message (Telegram's message id), when it says."""
    created_at: datetime


class StaffAlertStore(Protocol):
    """The staff-alert outbox."""

    async def dispatch(self, routes: Sequence[AlertRoute], *, limit: int = 100) -> int:
        """Create the alerts of notifications not yet dispatched (one per matching route); returns how many.

        Each notification is dispatched once, whatever `routes` are later: changing the
        targets does not resend old notifications.
        """
        ...

    async def claim(self, owner: str, *, lease_s: float, limit: int = 20) -> list[StaffAlert]:
        """Take due pending alerts for `lease_s` seconds; another worker gets them only after that."""
        ...

    async def sent(self, alert_id: StaffAlertId, *, provider_response_id: str | None) -> StaffAlert:
        """The target accepted the alert."""
        ...

    async def retry(self, alert_id: StaffAlertId, *, after_s: float, error: str) -> StaffAlert:
        """Try again in `after_s` seconds."""
        ...

    async def postpone(self, alert_id: StaffAlertId, *, after_s: float) -> StaffAlert:
        """Put a claimed alert back for `after_s` seconds without counting a try (its target asked to wait)."""
        ...

    async def dead_letter(self, alert_id: StaffAlertId, *, error: str) -> StaffAlert:
        """Give up on the alert."""
        ...

    async def alerts(
        self, *, status: AlertStatus | None = None, target: str | None = None
    ) -> list[StaffAlert]:
        """Alerts, oldest first."""
        ...
