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


def _secret(value: SecretStr | None, channel: str) -> str:
    if value is None:
        raise HTTPException(404, f"the {channel} channel is not configured on this server")
    return value.get_secret_value()


async def _body(request: Request, state: AppState) -> bytes:
    declared = request.headers.get("content-length")
    limit = state.settings.max_webhook_bytes
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes")
    raw = await request.body()
    if len(raw) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes")
    return raw


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


async def _receive(
    request: Request,
    state: AppState,
    verify: Callable[[bytes], None],
    parse: Callable[[bytes], list[InboundEvent]],
) -> dict[str, int]:
    raw = await _body(request, state)
    try:
        verify(raw)
    except SignatureInvalid as error:
        log.warning("webhook refused: %s", error)
        raise HTTPException(401, str(error)) from error
    try:
        events = parse(raw)
    except MalformedPayload as error:
        log.warning("malformed webhook: %s", error)
        raise HTTPException(400, str(error)) from error
    except ChannelError as error:
        raise HTTPException(400, str(error)) from error
    return await _store(state, events)


@router.post("/telegram")
async def telegram(request: Request, state: StateDep) -> dict[str, int]:
    """A Telegram `Update`, checked by the secret-token header."""
    secret = _secret(state.settings.telegram_webhook_secret, "Telegram")
    now = state.clock.now()
    return await _receive(
        request,
        state,
        lambda _raw: verify_telegram_secret(request.headers.get(TELEGRAM_SECRET_HEADER), secret=secret),
        lambda raw: parse_telegram_update(raw, received_at=now),
    )


def _signed(request: Request, app_secret: str) -> Callable[[bytes], None]:
    """The check of Meta's ``X-Hub-Signature-256`` over the raw body (WhatsApp, Messenger, Instagram)."""
    header = request.headers.get(META_SIGNATURE_HEADER)
    return lambda raw: verify_meta_signature(raw, header, app_secret=app_secret)


def _subscription(request: Request, token: SecretStr | None, channel: str) -> PlainTextResponse:
    try:
        challenge = answer_subscription(dict(request.query_params), verify_token=_secret(token, channel))
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
    secret = _secret(state.settings.whatsapp_app_secret, "WhatsApp")
    return await _receive(request, state, _signed(request, secret), parse_whatsapp_webhook)


@router.get("/meta", response_class=PlainTextResponse)
async def meta_subscription(request: Request, state: StateDep) -> PlainTextResponse:
    """Meta's check of the Messenger / Instagram callback URL."""
    return _subscription(request, state.settings.meta_verify_token, "Messenger / Instagram")


@router.post("/meta")
async def meta(request: Request, state: StateDep) -> dict[str, int]:
    """A Messenger or Instagram webhook (messages, postbacks, quick replies, comments)."""
    secret = _secret(state.settings.meta_app_secret, "Messenger / Instagram")
    now = state.clock.now()
    return await _receive(
        request, state, _signed(request, secret), lambda raw: parse_meta_webhook(raw, received_at=now)
    )
