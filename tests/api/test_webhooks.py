"""Channel webhooks over real HTTP: verified, stored once, answered once through the provider's send API."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

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
