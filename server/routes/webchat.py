"""The web-chat widget over HTTP: the script, the demo page, ``POST`` + SSE fallback and history.

The WebSocket is in `server.routes.webchat_socket`; both speak the protocol of
`server.channels.webchat`. Messages go to the durable inbox like every channel's; the worker's
replies reach the browser through the hub (`server.webchat`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from server.channels import MalformedPayload, check_session_id
from server.deps import StateDep
from server.pages import page_language, render
from server.routes import webchat_socket
from server.routes._webchat import CORS_HEADERS, hub_of, intake_of
from server.webchat import WEBCHAT_BODY_LIMIT, HistoryEntry, MessageTooLarge, WebchatHub, webchat_history
from server.webchat.frames import ready_frame
from server.webchat.history import entries_after

router = APIRouter(prefix="/webchat", tags=["web chat"])
router.include_router(webchat_socket.router)

WIDGET = Path(__file__).resolve().parent.parent / "static" / "webchat.js"
KEEPALIVE_S = 15.0
"""Seconds between SSE comments that keep proxies from closing an idle stream."""
STREAM_S = 300.0
"""An SSE stream ends after this; the browser reconnects at once with ``Last-Event-ID``."""


@cache
def _widget_source() -> bytes:
    return WIDGET.read_bytes()


def _refused(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"detail": reason}, status_code=status, headers=CORS_HEADERS)


@router.get("/widget.js", include_in_schema=False)
async def widget() -> Response:
    """The widget: one script, no dependencies; configured by the ``data-`` attributes of its tag."""
    return Response(
        _widget_source(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", **CORS_HEADERS},
    )


@router.get("/demo", response_class=HTMLResponse)
async def demo(request: Request, state: StateDep) -> HTMLResponse:
    """A landing page of the business with the widget on it, and the snippet to embed it elsewhere."""
    business = state.playbook.business
    language = page_language(request, business.default_language)
    base = state.settings.public_url or str(request.base_url)
    return render(
        "webchat_demo.html",
        language=language,
        business=business.name.get(language),
        description=business.description.get(language),
        phone=business.phone,
        script_src=f"{base.rstrip('/')}/webchat/widget.js",
        transport=transport
        if (transport := request.query_params.get("transport")) in ("sse", "websocket")
        else "auto",
    )


@router.options("/sessions/{session_id}/messages", include_in_schema=False)
async def preflight(session_id: str) -> Response:
    """CORS preflight for a ``POST`` with a JSON content type from another origin."""
    headers = {
        **CORS_HEADERS,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


@router.post("/sessions/{session_id}/messages", status_code=202)
async def post_message(session_id: str, request: Request, state: StateDep) -> JSONResponse:
    """A customer's message without a WebSocket: 202 once stored (or already stored), 400 with the reason, 413."""
    intake = intake_of(state)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > WEBCHAT_BODY_LIMIT:
        return _refused(413, str(MessageTooLarge(int(declared))))
    raw = await request.body()
    try:
        accepted = await intake.accept(raw, session_id=session_id)
    except MessageTooLarge as error:
        return _refused(413, str(error))
    except MalformedPayload as error:
        return _refused(400, error.reason)
    return JSONResponse(accepted.to_json(), status_code=202, headers=CORS_HEADERS)


@router.get("/sessions/{session_id}/history")
async def history(session_id: str, state: StateDep) -> JSONResponse:
    """The session's messages, both sides, oldest first, as ``message`` frames with ``from``."""
    try:
        check_session_id(session_id)
    except MalformedPayload as error:
        return _refused(400, error.reason)
    entries = await webchat_history(
        session_id, conversations=state.stores.conversations, inbox=state.stores.inbox
    )
    body = {"session": session_id, "messages": [entry.to_json() for entry in entries]}
    return JSONResponse(body, headers={"Cache-Control": "no-store", **CORS_HEADERS})


def _event(frame: Mapping[str, object], event_id: str | None = None) -> bytes:
    lines = f"data: {json.dumps(frame, ensure_ascii=False)}\n"
    if event_id is not None:
        lines += f"id: {event_id}\n"
    return (lines + "\n").encode()


async def _stream(
    hub: WebchatHub, session_id: str, replay: Callable[[], Awaitable[list[HistoryEntry]]]
) -> AsyncIterator[bytes]:
    """Frames as SSE events: the replayed ones first (read once subscribed), then live ones, with keep-alives."""
    async with hub.subscribe(session_id) as subscription:
        yield b"retry: 2000\n\n" + _event(ready_frame(session_id))
        sent: set[str] = set()
        for entry in await replay():
            sent.add(entry.id)
            yield _event(entry.to_json(), entry.id)
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_S
        while loop.time() < ends:
            frame = await subscription.next(timeout_s=min(KEEPALIVE_S, max(0.0, ends - loop.time())))
            if frame is None:
                yield b": keep-alive\n\n"
            elif frame.id not in sent:
                yield _event(frame.to_json(), frame.id if frame.type == "message" else None)


@router.get("/sessions/{session_id}/events")
async def events(
    session_id: str,
    state: StateDep,
    last_event_id: Annotated[str | None, Header()] = None,
) -> Response:
    """Server-sent events of the session's frames; after ``Last-Event-ID``, the replies missed first."""
    hub = hub_of(state)
    try:
        check_session_id(session_id)
    except MalformedPayload as error:
        return _refused(400, error.reason)

    async def replay() -> list[HistoryEntry]:
        if not last_event_id:
            return []
        entries = await webchat_history(
            session_id, conversations=state.stores.conversations, inbox=state.stores.inbox
        )
        return entries_after(entries, last_event_id.strip())

    return StreamingResponse(
        _stream(hub, session_id, replay),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no", **CORS_HEADERS},
    )
