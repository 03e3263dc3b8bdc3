"""Webhooks answered in front of the router: the busiest requests skip FastAPI's per-request machinery.

A provider's webhook is the server's hot path (every customer message, status and echo), and a
profile under load put half of an acknowledgement's CPU in routing, dependency resolution and
response serialisation. `WebhookFastPath` is an ASGI middleware that takes ``POST`` on the
webhook paths (`CHANNELS`), reads the body within the size limit and hands it to the same
`accept_webhook` the route handlers use; every other request goes on to the application. The
answers are the ones the routes give: the counts on success, ``{"detail": …}`` with 401 / 400 /
404 / 413 for a refused webhook, 503 with ``Retry-After`` when the database is unreachable;
anything unexpected propagates to the application's error handling (a logged 500).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.routes.webhooks import CHANNELS, WebhookRefused, accept_webhook, refuse_oversize
from server.state import AppState

log = logging.getLogger("frontdesk.webhooks")


class WebhookFastPath:
    """ASGI middleware: ``POST`` on a webhook path is answered here, everything else passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in CHANNELS:
            await self.app(scope, receive, send)
            return
        state: AppState = scope["app"].state.frontdesk
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        retry_after: str | None = None
        answer: dict[str, int] | dict[str, str]
        try:
            limit = state.settings.max_webhook_bytes
            refuse_oversize(headers.get("content-length"), limit)
            raw = await _body(receive, limit)
            status, answer = 200, await accept_webhook(state, scope["path"], headers.get, raw)
        except WebhookRefused as refused:
            status, answer = refused.status, {"detail": refused.detail}
        except (OperationalError, InterfaceError) as error:
            log.error("the database is unreachable on POST %s: %s", scope["path"], error)
            status, retry_after = 503, "5"
            answer = {"detail": "the database is unreachable; nothing was stored, please retry"}
        except _Disconnected:
            return
        await _respond(send, status, answer, retry_after)


class _Disconnected(Exception):
    """The client went away before its body was read."""


async def _body(receive: Receive, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise WebhookRefused(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Send, status: int, answer: object, retry_after: str | None) -> None:
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", retry_after.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
