"""The staff-alert worker: dispatches new notifications to their targets and sends them.

Each round it (1) creates the alerts of notifications not yet dispatched, one per matching
target, and (2) claims the due alerts for a lease and sends each. Retries and backoff are the
customer outbox's (`backoff_s`, `MAX_SEND_ATTEMPTS`); a target's ``retry_after`` is honoured,
and once a target asks to wait, its other alerts of the round wait too without losing a try.
A dead-lettered alert is logged and nothing more: alerts never raise notifications, so a
broken target cannot feed itself.

A send is cut off after `SEND_BUDGET_S`, and no send starts unless the round's lease still
covers it: alerts left when a slow target used the lease up are due again when it ends, for
whichever worker comes first, and are never sent by two workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from server.alert_formats import BusinessInfo, alert_message
from server.alert_targets import AlertSender
from server.delivery import (
    HOLD_MARGIN_S,
    MAX_SEND_ATTEMPTS,
    SEND_BUDGET_S,
    Failed,
    RetryLater,
    SendOutcome,
    Sent,
    backoff_s,
)
from tools.ids import new_id
from tools.staff_alerts import AlertRoute, StaffAlert, StaffAlertStore

log = logging.getLogger("frontdesk.alerts")

LEASE_S = 120.0
"""How long a claimed alert is this worker's; after that another worker may send it."""


@dataclass
class AlertWorker:
    """Works off staff alerts with the sender of each target."""

    store: StaffAlertStore
    routes: tuple[AlertRoute, ...]
    senders: Mapping[str, AlertSender]
    business: BusinessInfo
    console_url: str = "http://127.0.0.1:8000"
    owner: str = field(default_factory=lambda: new_id("aw"))
    lease_s: float = LEASE_S
    send_budget_s: float = SEND_BUDGET_S
    """The longest one send may take; it is cut off after that (a temporary failure)."""

    async def run_once(self, *, limit: int = 20) -> int:
        """Dispatch new notifications, then try every due alert once; returns how many were claimed.

        Alerts the lease no longer covers when their turn comes are left as they are: due again
        when the lease ends.
        """
        await self.store.dispatch(self.routes)
        claimed = await self.store.claim(self.owner, lease_s=self.lease_s, limit=limit)
        last_start = time.monotonic() + self.lease_s - self.send_budget_s - HOLD_MARGIN_S
        waiting: dict[str, float] = {}
        for number, alert in enumerate(claimed):
            if time.monotonic() > last_start:
                log.warning(
                    "staff alerts: the lease ran short after %d of %d; the rest are sent when it ends",
                    number,
                    len(claimed),
                )
                break
            if alert.target in waiting:
                await self.store.postpone(alert.id, after_s=waiting[alert.target])
                continue
            outcome = await self._send(alert)
            if isinstance(outcome, RetryLater) and outcome.after_s is not None:
                waiting[alert.target] = outcome.after_s
        return len(claimed)

    async def run(self, stop: asyncio.Event, *, idle_s: float = 1.0) -> None:
        """Work off alerts until `stop` is set."""
        while not stop.is_set():
            try:
                tried = await self.run_once()
            except Exception:
                log.exception("the staff-alert outbox could not be read; trying again")
                tried = 0
            if not tried:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_s)

    async def _send(self, alert: StaffAlert) -> SendOutcome:
        sender = self.senders.get(alert.target)
        if sender is None:
            outcome: SendOutcome = Failed(f"no target {alert.target!r} is configured any more")
        else:
            try:
                async with asyncio.timeout(self.send_budget_s):
                    outcome = await sender.send(alert_message(alert, self.business, self.console_url))
            except TimeoutError:
                outcome = RetryLater(f"the send took longer than {self.send_budget_s:g} s")
            except Exception as error:  # a sender bug must not stop the alerts
                log.exception("staff-alert target %s raised", alert.target)
                outcome = RetryLater(f"{type(error).__name__}: {error}")
        if isinstance(outcome, Sent):
            await self.store.sent(alert.id, provider_response_id=outcome.provider_message_id)
        elif isinstance(outcome, Failed) or alert.attempts + 1 >= MAX_SEND_ATTEMPTS:
            log.warning(
                "staff alert %s (%s, notification %s) to %s dead-lettered after %d tries: %s",
                alert.id,
                alert.notification.kind.value,
                alert.notification.id,
                alert.target,
                alert.attempts + 1,
                outcome.reason,
            )
            await self.store.dead_letter(alert.id, error=outcome.reason)
        else:
            wait = outcome.after_s if outcome.after_s is not None else backoff_s(alert.attempts)
            await self.store.retry(alert.id, after_s=wait, error=outcome.reason)
        return outcome
