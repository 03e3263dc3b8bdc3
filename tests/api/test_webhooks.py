"""Channel webhooks over real HTTP: verified, stored once, answered once through the provider's send API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from server.app import create_app
from server.settings import Settings
from tests.api.test_payment_page import _free_port, _until_started
from tests.channels.payloads import tg_message, wa_contact, wa_message, wa_value, wa_webhook
from tests.conftest import DATABASES, ROOT
from tests.fakes.providers import FakeProviders, meta_signature_headers, telegram_secret_headers
from tools.clock import FrozenClock

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
SECRET = "tg-webhook-secret"
APP_SECRET = "meta-app-secret"


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture
async def server(
    database_url: str, clock: FrozenClock, tmp_path: Path, providers: FakeProviders
) -> AsyncIterator[str]:
    port = _free_port()
    settings = Settings(
        playbook=ROOT / "examples/studio/playbook.yaml",
        data_dir=tmp_path,
        database_url=database_url,
        host="127.0.0.1",
        port=port,
        burst_s=0,
        telegram_bot_token=SecretStr(providers.telegram_token),
        telegram_webhook_secret=SecretStr(SECRET),
        telegram_api_url=providers.telegram_url,
        whatsapp_token=SecretStr(providers.whatsapp_token),
        whatsapp_phone_number_id=providers.phone_number_id,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr("wa-verify"),
        graph_api_url=providers.graph_url,
        max_webhook_bytes=64_000,
    )
    app = create_app(settings, clock=clock, knowledge="none")
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def _sent(providers: FakeProviders, provider: str, count: int = 1) -> list[str]:
    for _ in range(400):
        texts = providers.texts(provider)  # type: ignore[arg-type]
        if len(texts) >= count:
            return texts
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{provider} got {providers.texts(provider)} after 20 s")  # type: ignore[arg-type]


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
        texts = await _sent(providers, "telegram")
        await asyncio.sleep(1.0)
    assert any("1 800 ₽" in text for text in texts)
    assert len(providers.texts("telegram")) == len(texts), "no second reply"


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


async def test_whatsapp_verification_and_a_signed_message(server: str, providers: FakeProviders) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "wa-verify", "hub.challenge": "1158201444"}
    message = wa_message("text", {"body": "how much is a manicure?"})
    payload = wa_webhook(wa_value(message, contacts=[wa_contact()]))
    body = json.dumps(payload).encode()
    async with httpx.AsyncClient(base_url=server) as client:
        challenge = await client.get("/webhooks/whatsapp", params=params)
        wrong = await client.get("/webhooks/whatsapp", params={**params, "hub.verify_token": "nope"})
        ack = await client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
        )
        texts = await _sent(providers, "whatsapp")
    assert challenge.text == "1158201444" and wrong.status_code == 403
    assert ack.status_code == 200 and ack.json()["stored"] == 1
    assert any("1,800" in text or "1 800" in text for text in texts), texts
