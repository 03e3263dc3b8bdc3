"""Channel webhooks: verify, store in the durable inbox, answer the provider at once.

Nothing is processed here: the worker takes each conversation's events from the inbox in order.
A bad signature gets 401 and nothing is stored; a malformed body gets 400 with the reason; a
body over the size limit gets 413; events the bot does not act on (delivery statuses, echoes,
reactions) are acknowledged and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse
from pydantic import SecretStr

from server.channels import (
    META_SIGNATURE_HEADER,
    TELEGRAM_SECRET_HEADER,
    ChannelError,
    InboundEvent,
    MalformedPayload,
    SignatureInvalid,
    answer_subscription,
    parse_meta_webhook,
    parse_telegram_update,
    parse_whatsapp_webhook,
    verify_meta_signature,
    verify_telegram_secret,
)
from server.deps import StateDep
from server.state import AppState
from server.statuses import record_delivery_report

log = logging.getLogger("frontdesk.webhooks")
router = APIRouter(prefix="/webhooks", tags=["webhooks"])

ACTED_ON = frozenset({"text", "button", "non_text", "comment"})
"""Event kinds that go to the inbox; the rest are acknowledged and logged."""


class WebhookRefused(Exception):
    """A webhook answered with an error status and nothing stored (`status` and `detail` go back to the provider)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


Header = Callable[[str], str | None]
"""A request header by its lower-case name, or None."""
Checks = tuple[Callable[[bytes], None], Callable[[bytes], list[InboundEvent]]]
"""A channel's signature check over the raw body, and its parser."""


def _secret(value: SecretStr | None, channel: str) -> str:
    if value is None:
        raise WebhookRefused(404, f"the {channel} channel is not configured on this server")
    return value.get_secret_value()


def _telegram(state: AppState, header: Header) -> Checks:
    secret = _secret(state.settings.telegram_webhook_secret, "Telegram")
    now = state.clock.now()
    return (
        lambda _raw: verify_telegram_secret(header(TELEGRAM_SECRET_HEADER.lower()), secret=secret),
        lambda raw: parse_telegram_update(raw, received_at=now),
    )


def _signed(header: Header, app_secret: str) -> Callable[[bytes], None]:
    """The check of Meta's ``X-Hub-Signature-256`` over the raw body (WhatsApp, Messenger, Instagram)."""
    signature = header(META_SIGNATURE_HEADER.lower())
    return lambda raw: verify_meta_signature(raw, signature, app_secret=app_secret)


def _whatsapp(state: AppState, header: Header) -> Checks:
    return _signed(header, _secret(state.settings.whatsapp_app_secret, "WhatsApp")), parse_whatsapp_webhook


def _meta(state: AppState, header: Header) -> Checks:
    secret = _secret(state.settings.meta_app_secret, "Messenger / Instagram")
    now = state.clock.now()
    return _signed(header, secret), lambda raw: parse_meta_webhook(raw, received_at=now)


CHANNELS: dict[str, Callable[[AppState, Header], Checks]] = {
    "/webhooks/telegram": _telegram,
    "/webhooks/whatsapp": _whatsapp,
    "/webhooks/meta": _meta,
}
"""The paths inbound events arrive on, with their channel's checks."""


def refuse_oversize(declared: str | None, limit: int) -> None:
    """413 when the declared ``Content-Length`` is over `limit` (before the body is read)."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise WebhookRefused(413, f"the body is larger than {limit} bytes")


async def accept_webhook(state: AppState, path: str, header: Header, raw: bytes) -> dict[str, int]:
    """Verify, parse and store a webhook body that arrived on `path` (one of `CHANNELS`).

    Returns the counts the provider gets back; raises `WebhookRefused` (nothing stored) for a
    channel not configured, a bad signature, a malformed body or one over the size limit.
    """
    limit = state.settings.max_webhook_bytes
    if len(raw) > limit:
        raise WebhookRefused(413, f"the body is larger than {limit} bytes")
    verify, parse = CHANNELS[path](state, header)
    try:
        verify(raw)
    except SignatureInvalid as error:
        log.warning("webhook refused: %s", error)
        raise WebhookRefused(401, str(error)) from error
    try:
        events = parse(raw)
    except MalformedPayload as error:
        log.warning("malformed webhook: %s", error)
        raise WebhookRefused(400, str(error)) from error
    except ChannelError as error:
        raise WebhookRefused(400, str(error)) from error
    return await _store(state, events)


async def _store(state: AppState, events: list[InboundEvent]) -> dict[str, int]:
    stored = duplicates = ignored = 0
    announce: set[str] = set()
    for event in events:
        if event.kind == "status":
            await record_delivery_report(
                event,
                state.stores.inbox,
                state.stores.notifications,
                console_url=state.settings.effective_public_url,
            )
        if event.kind not in ACTED_ON:
            ignored += 1
            log.info("%s %s event %s acknowledged", event.channel, event.kind, event.provider_id)
            continue
        accepted, new = await state.stores.inbox.accept(event.for_inbox())
        stored += new
        duplicates += not new
        if new:
            announce.add(accepted.conversation_key)
    if stored and state.wake_worker is not None:
        state.wake_worker()
    if announce and state.announcer is not None:
        await state.announcer.announce(announce)
    return {"stored": stored, "duplicates": duplicates, "ignored": ignored}


async def _endpoint(request: Request, state: AppState) -> dict[str, int]:
    """The route handlers' way in; in the server `FrontdeskAPI` answers these paths before its middleware and routing."""
    try:
        refuse_oversize(request.headers.get("content-length"), state.settings.max_webhook_bytes)
        raw = await request.body()
        return await accept_webhook(state, request.url.path, request.headers.get, raw)
    except WebhookRefused as refused:
        raise HTTPException(refused.status, refused.detail) from refused


@router.post("/telegram")
async def telegram(request: Request, state: StateDep) -> dict[str, int]:
    """A Telegram `Update`, checked by the secret-token header."""
    return await _endpoint(request, state)


def _subscription(request: Request, token: SecretStr | None, channel: str) -> PlainTextResponse:
    try:
        challenge = answer_subscription(dict(request.query_params), verify_token=_secret(token, channel))
    except WebhookRefused as refused:
        raise HTTPException(refused.status, refused.detail) from refused
    except ChannelError as error:
        raise HTTPException(403, str(error)) from error
    return PlainTextResponse(challenge)


@router.get("/whatsapp", response_class=PlainTextResponse)
async def whatsapp_subscription(request: Request, state: StateDep) -> PlainTextResponse:
    """Meta's check of the WhatsApp callback URL: echo ``hub.challenge`` when the token matches."""
    return _subscription(request, state.settings.whatsapp_verify_token, "WhatsApp")


@router.post("/whatsapp")
async def whatsapp(request: Request, state: StateDep) -> dict[str, int]:
    """A WhatsApp Cloud API webhook, checked by ``X-Hub-Signature-256`` over the raw body."""
    return await _endpoint(request, state)


@router.get("/meta", response_class=PlainTextResponse)
async def meta_subscription(request: Request, state: StateDep) -> PlainTextResponse:
    """Meta's check of the Messenger / Instagram callback URL."""
    return _subscription(request, state.settings.meta_verify_token, "Messenger / Instagram")


@router.post("/meta")
async def meta(request: Request, state: StateDep) -> dict[str, int]:
    """A Messenger or Instagram webhook (messages, postbacks, quick replies, comments)."""
    return await _endpoint(request, state)
