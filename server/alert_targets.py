"""Senders of staff alerts: a Telegram chat, a Slack incoming webhook, a signed webhook.

Each says how a send went in the outbox's terms (`Sent`, `RetryLater`, `Failed`): rate limits
(429, with Telegram's ``retry_after`` or a ``Retry-After`` header), timeouts and server errors
are retried; other refusals are permanent. Addresses and secrets never appear in the reasons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from server.alert_formats import AlertMessage, signed_headers, slack_body, telegram_body, webhook_body
from server.channels import Ok, Permanent, SendRequest, build_http_call
from server.channels.model import JsonObject
from server.channels.transport import classify_telegram_response, retry_after_header
from server.delivery import Failed, RetryLater, SendOutcome, Sent
from tools.clock import Clock

SLACK_HINTS = {
    403: " (the workspace does not allow this webhook to post)",
    404: " (the channel is gone: create a new incoming webhook)",
    410: " (the channel is archived: create a new incoming webhook)",
}


class AlertSender(Protocol):
    """Sends staff alerts to one target."""

    async def send(self, message: AlertMessage) -> SendOutcome:
        """Send `message`; never raises for the target's errors, says what happened."""
        ...


def _redacted(error: Exception, *secrets: str) -> str:
    text = f"{type(error).__name__}: {error}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:300]


def classify_http_response(
    service: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    hints: Mapping[int, str] | None = None,
) -> SendOutcome:
    """A plain HTTP answer: 2xx sent; 408, 425, 429 and 5xx later (as ``Retry-After`` says); else failed."""
    if 200 <= status < 300:
        return Sent(None)
    snippet = body[:200].decode("utf-8", "replace").strip()
    reason = f"{service}: HTTP {status}" + (f" {snippet}" if snippet else "")
    if status in {408, 425, 429} or status >= 500:
        return RetryLater(reason, retry_after_header(headers, now=now))
    if 300 <= status < 400:
        return Failed(reason + " (a redirect: configure the final address)")
    return Failed(reason + (hints or {}).get(status, ""))


async def _post(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str], content: bytes, *secrets: str
) -> httpx.Response | RetryLater:
    try:
        return await client.post(url, headers=dict(headers), content=content)
    except httpx.HTTPError as error:
        return RetryLater(_redacted(error, url, *secrets))


@dataclass(frozen=True)
class TelegramChat:
    """A chat the server's bot writes to (``sendMessage``, HTML)."""

    chat_id: str
    base_url: str
    token: str
    client: httpx.AsyncClient
    clock: Clock

    async def send(self, message: AlertMessage) -> SendOutcome:
        """Send the alert as one HTML message."""
        request = SendRequest("telegram", "/sendMessage", telegram_body(self.chat_id, message), "staff_alert")
        call = build_http_call(request, base_url=self.base_url, token=self.token)
        response = await _post(self.client, call.url, dict(call.headers), call.content, self.token)
        if isinstance(response, RetryLater):
            return response
        outcome = classify_telegram_response(
            response.status_code, dict(response.headers), response.content, now=self.clock.now()
        )
        if isinstance(outcome, Ok):
            return Sent(outcome.provider_message_id)
        if isinstance(outcome, Permanent):
            return Failed(outcome.reason.replace("the customer blocked the bot", "the bot was removed"))
        return RetryLater(outcome.reason, outcome.after_s)


def _json(document: JsonObject) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class SlackWebhook:
    """A Slack incoming webhook (``200 ok``; errors such as ``404 channel_not_found``)."""

    url: str
    client: httpx.AsyncClient
    clock: Clock

    async def send(self, message: AlertMessage) -> SendOutcome:
        """Post the alert as text and blocks."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        response = await _post(self.client, self.url, headers, _json(slack_body(message)))
        if isinstance(response, RetryLater):
            return response
        return classify_http_response(
            "Slack",
            response.status_code,
            dict(response.headers),
            response.content,
            now=self.clock.now(),
            hints=SLACK_HINTS,
        )


@dataclass(frozen=True)
class SignedWebhook:
    """Any endpoint: the JSON body, signed with HMAC-SHA256 and timestamped."""

    url: str
    secret: str
    client: httpx.AsyncClient
    clock: Clock

    async def send(self, message: AlertMessage) -> SendOutcome:
        """Post the alert, signed at the moment of sending (a retry is signed again)."""
        body = webhook_body(message)
        timestamp = int(self.clock.now().timestamp())
        headers = signed_headers(self.secret, timestamp, body, message.alert_id)
        response = await _post(self.client, self.url, headers, body, self.secret)
        if isinstance(response, RetryLater):
            return response
        return classify_http_response(
            "Webhook", response.status_code, dict(response.headers), response.content, now=self.clock.now()
        )
