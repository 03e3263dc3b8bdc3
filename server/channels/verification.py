"""Proving a webhook request comes from the provider, before its body is parsed.

- Telegram sends the ``secret_token`` given to ``setWebhook`` in the
  ``X-Telegram-Bot-Api-Secret-Token`` header.
- WhatsApp, Messenger and Instagram (Meta) sign the *raw body bytes* with the app secret:
  ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>``. Re-serialised JSON would not match, so
  verify before parsing.
- Meta checks a callback URL with ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…``;
  the answer is the challenge, verbatim, with status 200.

Every comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from server.channels.model import MalformedPayload, SignatureInvalid

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
META_SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE_PREFIX = "sha256="


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def verify_telegram_secret(header_value: str | None, *, secret: str) -> None:
    """Accept the update only when the secret-token header equals the configured secret.

    Raises:
        SignatureInvalid: the header is missing or different (answer 401 or 403, store nothing).
    """
    if not secret:
        raise ValueError(
            "the Telegram webhook secret is empty; set FRONTDESK_TELEGRAM_WEBHOOK_SECRET and pass it "
            "to setWebhook as secret_token"
        )
    if header_value is None:
        raise SignatureInvalid(f"the {TELEGRAM_SECRET_HEADER} header is missing")
    if not _equal(header_value, secret):
        raise SignatureInvalid(f"the {TELEGRAM_SECRET_HEADER} header does not match the configured secret")


def meta_signature(raw_body: bytes, *, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for `raw_body`."""
    digest = hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return _SIGNATURE_PREFIX + digest


def verify_meta_signature(raw_body: bytes, header_value: str | None, *, app_secret: str) -> None:
    """Accept a WhatsApp, Messenger or Instagram webhook only when its HMAC matches the raw body.

    Raises:
        SignatureInvalid: the header is missing, not ``sha256=<hex>``, or does not match.
    """
    if not app_secret:
        raise ValueError(
            "the Meta app secret is empty; set FRONTDESK_WHATSAPP_APP_SECRET or FRONTDESK_META_APP_SECRET "
            "(App Dashboard → App settings → Basic → App secret)"
        )
    if header_value is None:
        raise SignatureInvalid(f"the {META_SIGNATURE_HEADER} header is missing")
    given = header_value.strip()
    if not given.lower().startswith(_SIGNATURE_PREFIX):
        raise SignatureInvalid(f"the {META_SIGNATURE_HEADER} header does not start with 'sha256='")
    expected = meta_signature(raw_body, app_secret=app_secret)
    if not _equal(_SIGNATURE_PREFIX + given[len(_SIGNATURE_PREFIX) :].lower(), expected):
        raise SignatureInvalid(f"the {META_SIGNATURE_HEADER} signature does not match the body")


def answer_subscription(params: Mapping[str, str], *, verify_token: str) -> str:
    """The body for Meta's ``GET`` callback check: the ``hub.challenge`` when the token matches.

    Raises:
        MalformedPayload: ``hub.mode`` is not ``subscribe`` or a parameter is missing (answer 400).
        SignatureInvalid: ``hub.verify_token`` differs from ours (answer 403).
    """
    if not verify_token:
        raise ValueError(
            "the verify token is empty; set FRONTDESK_WHATSAPP_VERIFY_TOKEN or FRONTDESK_META_VERIFY_TOKEN "
            "to the value typed into the App Dashboard's webhook form"
        )
    mode = params.get("hub.mode")
    if mode != "subscribe":
        raise MalformedPayload(f"hub.mode is {mode!r}, expected 'subscribe'")
    challenge = params.get("hub.challenge")
    if not challenge:
        raise MalformedPayload("hub.challenge is missing")
    token = params.get("hub.verify_token")
    if token is None:
        raise SignatureInvalid("hub.verify_token is missing")
    if not _equal(token, verify_token):
        raise SignatureInvalid("hub.verify_token does not match the configured verify token")
    return challenge
