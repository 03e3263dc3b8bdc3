"""Webhooks answered in front of FastAPI: the busiest requests skip its per-request machinery.

A provider's webhook is the server's hot path (every customer message, status and echo), and a
profile under load put half of an acknowledgement's CPU in the middleware chain, routing,
dependency resolution and response serialisation. `FrontdeskAPI` (the server's FastAPI
application) takes ``POST`` on the webhook paths (`CHANNELS`) itself, reads the body within the
size limit and hands it to the same `accept_webhook` the route handlers use; every other request
goes to FastAPI as usual. The answers are the ones the routes give: the counts on success,
``{"detail": …}`` with 401 / 400 / 404 / 413 for a refused webhook, 503 with ``Retry-After``
when the database is unreachable; anything unexpected is logged and answered 500, as the
application's error handler does.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.types import Message, Receive, Scope, Send

from server.errors import INTERNAL_ERROR_DETAIL, STORAGE_DOWN_DETAIL
from server.prometheus import LatencyHistogram, Metric
from server.routes.webhooks import CHANNELS, WebhookRefused, accept_webhook, refuse_oversize
from server.state import AppState

log = logging.getLogger("frontdesk.webhooks")

ACK_BOUNDS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Bucket bounds of the webhook answer times (seconds)."""


class FrontdeskAPI(FastAPI):
    """The server's ASGI application: ``POST`` on a webhook path is answered before FastAPI's middleware stack.

    Everything else (and the OpenAPI description of the webhook routes) is FastAPI's. Skipping the
    stack matters because every awaited step of a request resumes each middleware frame in it;
    under load that chain took about a tenth of the API process's CPU.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.webhook_ack_times = {path: LatencyHistogram(ACK_BOUNDS_S) for path in CHANNELS}
        """How long each webhook path took to answer, from the request's arrival to the answer's last byte."""

    def webhook_ack_metric(self) -> Metric:
        """``frontdesk_webhook_ack_seconds{channel}``: this process's webhook answer times."""
        samples = tuple(
            sample
            for path, histogram in self.webhook_ack_times.items()
            for sample in histogram.samples((("channel", path.rsplit("/", 1)[-1]),))
        )
        return Metric(
            "frontdesk_webhook_ack_seconds",
            "histogram",
            "Time to answer a provider's webhook (verified, stored, acknowledged), in this API process.",
            samples,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in CHANNELS:
            await super().__call__(scope, receive, send)
            return
        arrived = time.perf_counter()
        try:
            await self._answer(scope, receive, send)
        finally:
            self.webhook_ack_times[scope["path"]].observe(time.perf_counter() - arrived)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await answer_webhook(self.state.frontdesk, scope, receive, tracked)
        except Exception:
            log.exception("unhandled error on POST %s", scope["path"])
            if not started:
                await _respond(send, 500, {"detail": INTERNAL_ERROR_DETAIL}, None)


async def answer_webhook(state: AppState, scope: Scope, receive: Receive, send: Send) -> None:
    """Read, check and store one webhook request and answer it as its route would."""
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
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
        answer = {"detail": STORAGE_DOWN_DETAIL}
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
