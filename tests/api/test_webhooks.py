"""Channel webhooks over real HTTP: verified, stored once, answered once through the provider's send API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from tests.api.conftest import APP_SECRET, TELEGRAM_SECRET, Served, sent_texts
from tests.channels.payloads import tg_message, wa_contact, wa_message, wa_value, wa_webhook
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders, meta_signature_headers, telegram_secret_headers
from tools.clock import FrozenClock

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
SECRET = TELEGRAM_SECRET


@pytest.fixture
def server(served: Served) -> str:
    return served.url


async def test_a_telegram_message_redelivered_five_times_is_answered_once(
    server: str, providers: FakeProviders
) -> None:
    body = json.dumps(tg_message(text="сколько стоит маникюр?"), ensure_ascii=False).encode()
    async with httpx.AsyncClient(base_url=server) as client:
        acks = [
            await client.post("/webhooks/telegram", content=body, headers=telegram_secret_headers(SECRET))
            for _ in range(5)
        ]
        assert [a.status_code for a in acks] == [200] * 5
        assert [a.json()["stored"] for a in acks] == [1, 0, 0, 0, 0]
        texts = await sent_texts(providers, "telegram", 2)
        await asyncio.sleep(1.5)
    assert any("1 800 ₽" in text for text in texts)
    assert len(texts) == len(set(texts)), "every reply once"
    assert len(providers.texts("telegram")) == len(texts), "no second answer to the redeliveries"


async def test_bad_input_gets_a_clear_error_and_nothing_is_stored(
    server: str, providers: FakeProviders
) -> None:
    body = json.dumps(tg_message(text="привет")).encode()
    async with httpx.AsyncClient(base_url=server) as client:
        forged = await client.post(
            "/webhooks/telegram", content=body, headers=telegram_secret_headers("guess")
        )
        broken = await client.post(
            "/webhooks/telegram", content=b"{not json", headers=telegram_secret_headers(SECRET)
        )
        huge = await client.post(
            "/webhooks/telegram", content=b"x" * 70_000, headers=telegram_secret_headers(SECRET)
        )
        unsigned = await client.post("/webhooks/whatsapp", content=b"{}")
    assert forged.status_code == 401 and broken.status_code == 400 and huge.status_code == 413
    assert unsigned.status_code == 401
    assert "detail" in broken.json() and broken.json()["detail"]
    await asyncio.sleep(0.5)
    assert providers.texts("telegram") == []


async def test_whatsapp_verification_and_a_signed_message(
    server: str, providers: FakeProviders, clock: FrozenClock
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "wa-verify", "hub.challenge": "1158201444"}
    message = wa_message(
        "text", {"body": "how much is a manicure?"}, timestamp=str(int(clock.now().timestamp()))
    )
    payload = wa_webhook(wa_value(message, contacts=[wa_contact()]))
    body = json.dumps(payload).encode()
    async with httpx.AsyncClient(base_url=server) as client:
        challenge = await client.get("/webhooks/whatsapp", params=params)
        wrong = await client.get("/webhooks/whatsapp", params={**params, "hub.verify_token": "nope"})
        ack = await client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
        )
        texts = await sent_texts(providers, "whatsapp")
    assert challenge.text == "1158201444" and wrong.status_code == 403
    assert ack.status_code == 200 and ack.json()["stored"] == 1
    assert any("1,800" in text or "1 800" in text for text in texts), texts


async def test_a_body_streamed_past_the_limit_is_refused_without_being_stored(
    server: str, providers: FakeProviders
) -> None:
    """No Content-Length (chunked): the server counts while reading and stops at the limit."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 10_000

    async with httpx.AsyncClient(base_url=server) as client:
        huge = await client.post(
            "/webhooks/telegram", content=chunks(), headers=telegram_secret_headers(SECRET)
        )
        docs = (await client.get("/openapi.json")).json()
    assert huge.status_code == 413 and "64000 bytes" in huge.json()["detail"]
    assert {"/webhooks/telegram", "/webhooks/whatsapp", "/webhooks/meta"} <= set(docs["paths"])
    await asyncio.sleep(0.3)
    assert providers.texts("telegram") == []


async def test_the_route_handlers_answer_webhooks_as_the_fast_path_does(served: Served) -> None:
    """The same requests through the routes alone (no middleware) and through the server get the same answers."""

    async def routes_alone(scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own handling of the request: its middleware, error handlers and the routes."""
        await FastAPI.__call__(served.app, scope, receive, send)

    def requests(number: int) -> list[tuple[str, bytes, dict[str, str]]]:
        good = json.dumps(tg_message(number, number, text="сколько стоит маникюр?")).encode()
        return [
            ("/webhooks/telegram", good, telegram_secret_headers(SECRET)),
            ("/webhooks/telegram", good, telegram_secret_headers(SECRET)),
            ("/webhooks/telegram", good, telegram_secret_headers("guess")),
            ("/webhooks/telegram", b"{not json", telegram_secret_headers(SECRET)),
            ("/webhooks/telegram", b"x" * 70_000, telegram_secret_headers(SECRET)),
            ("/webhooks/whatsapp", b"{}", {}),
        ]

    answers: list[list[tuple[int, object]]] = []
    for number, transport in ((9001, httpx.ASGITransport(app=routes_alone)), (9002, None)):
        base = "http://routes" if transport is not None else served.url
        async with httpx.AsyncClient(base_url=base, transport=transport) as client:
            seen = []
            for path, body, headers in requests(number):
                answer = await client.post(path, content=body, headers=headers)
                seen.append((answer.status_code, answer.json()))
            answers.append(seen)
    assert answers[0] == answers[1]
    assert [status for status, _ in answers[0]] == [200, 200, 401, 400, 413, 401]
    assert answers[0][0][1] == {"stored": 1, "duplicates": 0, "ignored": 0}
    assert answers[0][1][1] == {"stored": 0, "duplicates": 1, "ignored": 0}


async def test_an_unexpected_error_is_a_500_on_the_fast_path_as_on_the_routes(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while accepting a webhook answers 500 without details (the provider retries later), never a hang."""

    async def broken(*args: object) -> dict[str, int]:
        raise RuntimeError("a bug in accepting webhooks")

    monkeypatch.setattr("server.webhook_fast_path.accept_webhook", broken)
    monkeypatch.setattr("server.routes.webhooks.accept_webhook", broken)

    async def routes_alone(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(served.app, scope, receive, send)

    body = json.dumps(tg_message(9100, 9100, text="hello")).encode()
    answers = []
    routes = httpx.ASGITransport(app=routes_alone, raise_app_exceptions=False)
    for base, transport in (("http://routes", routes), (served.url, None)):
        async with httpx.AsyncClient(base_url=base, transport=transport) as client:
            answer = await client.post(
                "/webhooks/telegram", content=body, headers=telegram_secret_headers(SECRET)
            )
            answers.append((answer.status_code, answer.json()))
    assert answers[0] == answers[1] == (500, {"detail": "internal error; the server log has the details"})
