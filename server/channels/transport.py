"""Turning a `SendRequest` into an HTTP call, and the provider's answer into what to do next.

`classify_response` reads a provider response and says:

- `Ok`: accepted (with the provider's message id when it gives one);
- `Retry`: try again, after `Retry.after_s` seconds when the provider says how long
  (Telegram ``parameters.retry_after``, a ``Retry-After`` header, Meta's pair rate limit);
  ``None`` means "use your own backoff";
- `Permanent`: retrying cannot help (bad token, blocked by the user, invalid request, WhatsApp
  window closed…); the reason is for staff. ``window_closed`` tells the sender to use a template.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from server.channels._json import try_load_object
from server.channels.model import Channel, SendRequest

GRAPH_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80006, 80007, 130429, 131056})
"""Graph / Cloud API throttling: app, user, page, per-call, Messenger/Instagram/WhatsApp business
use-case limits, Cloud API throughput (130429) and the WhatsApp pair rate limit (131056)."""
GRAPH_TRANSIENT_CODES = frozenset({1, 2, 1200, 131000, 131016})
"""Unknown / service-unavailable / temporary send failure / WhatsApp generic and service errors."""
WINDOW_CLOSED_CODES = frozenset({131047})
"""WhatsApp: more than 24 hours since the customer's last message ("re-engagement message")."""
WINDOW_CLOSED_SUBCODES = frozenset({2018278, 2534022})
"""Messenger / Instagram code 10 subcodes: sent outside the allowed window."""
PAIR_RATE_LIMIT_WAIT_S = 6.0


@dataclass(frozen=True)
class Ok:
    """The provider accepted the request."""

    provider_message_id: str | None


@dataclass(frozen=True)
class Retry:
    """A passing failure: send again later."""

    after_s: float | None
    reason: str


@dataclass(frozen=True)
class Permanent:
    """Retrying cannot help; `reason` says what a person should do."""

    reason: str
    code: int | None = None
    window_closed: bool = False


ProviderOutcome = Ok | Retry | Permanent


@dataclass(frozen=True)
class HttpCall:
    """A ready-to-send HTTP request."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    content: bytes


def build_http_call(request: SendRequest, *, base_url: str, token: str) -> HttpCall:
    """The HTTP call for `request`: the bot token in the Telegram path, a bearer token for Graph.

    Args:
        base_url: ``FRONTDESK_TELEGRAM_API_URL`` (``https://api.telegram.org``) for Telegram,
            ``FRONTDESK_GRAPH_API_URL`` (``https://graph.facebook.com/v25.0``) for the others.
        token: the bot token, the WhatsApp token or the Page token.
    """
    if request.channel == "webchat":
        raise ValueError("web chat replies are pushed to the browser session, not sent over HTTP")
    headers = [("Content-Type", "application/json; charset=utf-8")]
    base = base_url.rstrip("/")
    if request.channel == "telegram":
        url = f"{base}/bot{token}{request.path}"
    else:
        url = f"{base}{request.path}"
        headers.append(("Authorization", f"Bearer {token}"))
    return HttpCall(request.method, url, tuple(headers), request.body_bytes())


def retry_after_header(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds, or an HTTP date given `now`)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if now is None or when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def classify_telegram_response(
    status: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
) -> ProviderOutcome:
    """What a Bot API answer means: ``{"ok": true, "result": …}`` or an error with parameters."""
    data = try_load_object(body) or {}
    description = str(data.get("description") or f"HTTP {status}")
    parameters = data.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    if 200 <= status < 300 and data.get("ok") is not False:
        result = data.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Ok(str(message_id) if message_id is not None else None)
    if status == 429 or status >= 500 or status == 408:
        wait = _number(parameters.get("retry_after")) or retry_after_header(headers, now=now)
        return Retry(wait, f"Telegram: {description}")
    if "migrate_to_chat_id" in parameters:
        return Permanent(
            f"Telegram: the group became a supergroup; send to chat {parameters['migrate_to_chat_id']}",
            code=status,
        )
    hint = {
        401: " (check FRONTDESK_TELEGRAM_BOT_TOKEN)",
        403: " (the customer blocked the bot or left the chat)",
    }.get(status, "")
    return Permanent(f"Telegram: {description}{hint}", code=status)


def classify_graph_response(
    status: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
) -> ProviderOutcome:
    """What a Graph API answer means (WhatsApp Cloud API, Messenger and Instagram Send API)."""
    data = try_load_object(body) or {}
    error = data.get("error")
    if 200 <= status < 300 and not isinstance(error, dict):
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return Ok(str(messages[0].get("id")) if messages[0].get("id") else None)
        message_id = data.get("message_id")
        return Ok(str(message_id) if message_id else None)
    waited = retry_after_header(headers, now=now)
    if not isinstance(error, dict):
        if status == 429 or status >= 500:
            return Retry(waited, f"Graph API: HTTP {status}")
        return Permanent(f"Graph API: HTTP {status} without an error object", code=status)
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    subcode = error.get("error_subcode")
    details = error.get("error_data")
    detail = details.get("details") if isinstance(details, dict) else None
    reason = f"Graph API error {code}: {error.get('message') or 'no message'}" + (
        f" ({detail})" if detail else ""
    )
    if code in WINDOW_CLOSED_CODES or (code == 10 and subcode in WINDOW_CLOSED_SUBCODES):
        return Permanent(reason + "; outside the 24-hour window: send an approved template", code, True)
    if code in GRAPH_RATE_LIMIT_CODES:
        return Retry(waited or (PAIR_RATE_LIMIT_WAIT_S if code == 131056 else None), reason)
    if code in GRAPH_TRANSIENT_CODES or error.get("is_transient") is True or status >= 500 or status == 429:
        return Retry(waited, reason)
    if code == 190:
        reason += "; the access token expired or was revoked: issue a new one"
    return Permanent(reason, code)


def classify_response(
    channel: Channel, status: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
) -> ProviderOutcome:
    """`classify_telegram_response` or `classify_graph_response`, by channel."""
    if channel == "telegram":
        return classify_telegram_response(status, headers, body, now=now)
    if channel == "webchat":
        raise ValueError("web chat has no provider response to classify")
    return classify_graph_response(status, headers, body, now=now)
