"""What a staff alert looks like on each target: Telegram HTML, Slack blocks, a signed JSON body.

The title and body of a notification come from whoever raised it; the few fixed words added
here (the kind of notification, "Open in the console") are in the business's default
language. Every message carries the console link of the notification (its conversation, or
the approval or task it is about).

The generic webhook body is signed like this (see docs/notifications.md)::

    X-Frontdesk-Timestamp: <unix seconds>
    X-Frontdesk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from server.channels.model import JsonObject
from tools.notifications import NotificationKind
from tools.staff_alerts import StaffAlert

SIGNATURE_HEADER = "X-Frontdesk-Signature"
TIMESTAMP_HEADER = "X-Frontdesk-Timestamp"
ALERT_ID_HEADER = "X-Frontdesk-Alert-Id"
SIGNATURE_TOLERANCE_S = 300
"""How old a signed request a receiver should still accept (replay protection)."""
MAX_BODY_CHARS = 2500
"""Longer notification bodies are cut (Telegram allows 4096 characters, a Slack section 3000)."""

KIND_LABELS: dict[str, dict[NotificationKind, str]] = {
    "en": {
        NotificationKind.HOT_LEAD: "🔥 Hot lead",
        NotificationKind.APPROVAL_PENDING: "⏳ Waiting for approval",
        NotificationKind.ESCALATION: "🆘 Escalation",
        NotificationKind.INTERNAL_REQUEST: "📨 Internal request",
        NotificationKind.FAILED_SEND: "⚠️ A reply was not delivered",
        NotificationKind.SLA_BREACH: "⏰ Response time exceeded",
        NotificationKind.TASK: "📋 Task",
    },
    "ru": {
        NotificationKind.HOT_LEAD: "🔥 Горячий лид",
        NotificationKind.APPROVAL_PENDING: "⏳ Ждёт одобрения",
        NotificationKind.ESCALATION: "🆘 Эскалация",
        NotificationKind.INTERNAL_REQUEST: "📨 Внутренний запрос",
        NotificationKind.FAILED_SEND: "⚠️ Ответ не доставлен",
        NotificationKind.SLA_BREACH: "⏰ Срок ответа нарушен",
        NotificationKind.TASK: "📋 Задача",
    },
}
OPEN_LABEL = {"en": "Open in the console", "ru": "Открыть в консоли"}


@dataclass(frozen=True)
class BusinessInfo:
    """Which business an alert comes from."""

    id: str
    name: str
    language: str
    """The language of the fixed words (``en`` or ``ru``)."""


@dataclass(frozen=True)
class AlertMessage:
    """One notification, ready to be formatted for a target."""

    alert_id: str
    """Unique per notification and target: receivers use it to drop a repeated delivery."""
    notification_id: str
    kind: NotificationKind
    recipient: str
    title: str
    body: str
    link: str
    created_at: datetime
    business: BusinessInfo

    @property
    def label(self) -> str:
        """The kind of notification, in the business's language."""
        labels = KIND_LABELS.get(self.business.language, KIND_LABELS["en"])
        return labels.get(self.kind, self.kind.value)

    @property
    def open_label(self) -> str:
        """The words of the console link."""
        return OPEN_LABEL.get(self.business.language, OPEN_LABEL["en"])

    @property
    def short_body(self) -> str:
        """The body, cut to `MAX_BODY_CHARS`."""
        body = self.body.strip()
        return body if len(body) <= MAX_BODY_CHARS else body[: MAX_BODY_CHARS - 1].rstrip() + "…"


def alert_message(alert: StaffAlert, business: BusinessInfo, console_url: str) -> AlertMessage:
    """The message for `alert`; a notification without a link points at the console."""
    notification = alert.notification
    return AlertMessage(
        alert_id=alert.id,
        notification_id=notification.id,
        kind=notification.kind,
        recipient=notification.recipient,
        title=notification.title,
        body=notification.body,
        link=notification.link or f"{console_url.rstrip('/')}/console",
        created_at=notification.created_at,
        business=business,
    )


def _html(text: str) -> str:
    """Escape for Telegram's HTML parse mode (``&``, ``<``, ``>`` and ``"``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def telegram_body(chat_id: str, message: AlertMessage) -> JsonObject:
    """A Bot API ``sendMessage`` body: HTML with the title in bold and the link at the end."""
    text = (
        f"{_html(message.label)} · {_html(message.business.name)}\n"
        f"<b>{_html(message.title)}</b>\n"
        f"{_html(message.short_body)}\n\n"
        f'<a href="{_html(message.link)}">{_html(message.open_label)}</a>'
    )
    return {
        "chat_id": _chat(chat_id),
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }


def _mrkdwn(text: str) -> str:
    """Escape Slack's control characters (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: AlertMessage) -> JsonObject:
    """An incoming-webhook body: `text` for notifications and clients without blocks, then blocks."""
    link = message.link.replace("|", "%7C").replace(">", "%3E")
    return {
        "text": f"{_mrkdwn(message.title)} · {_mrkdwn(message.business.name)}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_mrkdwn(message.title)}*\n{_mrkdwn(message.short_body)}",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"{_mrkdwn(message.label)} · {_mrkdwn(message.business.name)} · "
                        f"<{link}|{_mrkdwn(message.open_label)}>",
                    }
                ],
            },
        ],
        "unfurl_links": False,
    }


def webhook_body(message: AlertMessage) -> bytes:
    """The generic webhook's JSON body, as sent (UTF-8)."""
    document = {
        "id": message.notification_id,
        "alert_id": message.alert_id,
        "kind": message.kind.value,
        "recipient": message.recipient,
        "title": message.title,
        "body": message.body,
        "link": message.link,
        "created_at": message.created_at.isoformat(),
        "business": {"id": message.business.id, "name": message.business.name},
        "language": message.business.language,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with `secret` over ``"<timestamp>."`` followed by the raw body."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(secret: str, timestamp: int, body: bytes, alert_id: str) -> dict[str, str]:
    """The headers of a signed webhook request."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        ALERT_ID_HEADER: alert_id,
    }


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signed: str,
    *,
    now: float,
    tolerance_s: float = SIGNATURE_TOLERANCE_S,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)
