"""The provider's delivery reports (WhatsApp ``statuses``) on messages we sent.

``sent`` → ``delivered`` → ``read`` are kept on the delivery (never moving backwards when reports
arrive out of order). ``failed`` — the message was accepted but could not reach the customer
(for example, outside the 24-hour window or an unreachable number) — dead-letters the delivery and
tells staff, with the provider's reason and a link to the conversation.
"""

from __future__ import annotations

import logging

from server.channels import InboundEvent
from server.delivery import tell_staff_a_send_failed
from tools.inbox import InboxStore
from tools.notifications import NotificationStore

log = logging.getLogger("frontdesk.statuses")


async def record_delivery_report(
    event: InboundEvent, inbox: InboxStore, notifications: NotificationStore, *, console_url: str
) -> None:
    """Apply one status event to the delivery it is about (unknown message ids are logged)."""
    report = event.status
    if report is None:
        return
    reason = "; ".join(f"{error.code}: {error.title}" for error in report.errors) or None
    delivery = await inbox.provider_reported(report.message_id, status=report.state, error=reason)
    if delivery is None:
        log.info("%s status %s for unknown message %s", event.channel, report.state, report.message_id)
        return
    if report.state != "failed":
        return
    log.warning("%s could not deliver %s: %s", event.channel, delivery.id, reason)
    await tell_staff_a_send_failed(
        notifications,
        delivery,
        title=f"A reply did not reach the customer ({event.channel})",
        reason=reason or "the provider reported a failure",
        key=f"provider-failed:{delivery.id}",
        console_url=console_url,
    )
