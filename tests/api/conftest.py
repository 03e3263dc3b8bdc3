"""A real server on a free port, wired to the local fake providers, on SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from server.app import create_app
from server.settings import Settings
from server.state import AppState
from tests.api.test_payment_page import _free_port, _until_started
from tests.conftest import ROOT
from tests.fakes.providers import FakeProviders
from tools.clock import FrozenClock

TELEGRAM_SECRET = "tg-webhook-secret"
APP_SECRET = "meta-app-secret"


@dataclass(frozen=True)
class Served:
    """The running server: its URL and its parts (stores, runner) for checking what it wrote."""

    url: str
    app: FastAPI

    @property
    def state(self) -> AppState:
        """What the server holds once started."""
        state: AppState = self.app.state.frontdesk
        return state


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture
async def served(
    database_url: str, clock: FrozenClock, tmp_path: Path, providers: FakeProviders
) -> AsyncIterator[Served]:
    """The studio demo with every channel configured against the fake providers (no burst wait)."""
    port = _free_port()
    settings = Settings(
        playbook=ROOT / "examples/studio/playbook.yaml",
        data_dir=tmp_path,
        database_url=database_url,
        host="127.0.0.1",
        port=port,
        burst_s=0,
        telegram_bot_token=SecretStr(providers.telegram_token),
        telegram_webhook_secret=SecretStr(TELEGRAM_SECRET),
        telegram_api_url=providers.telegram_url,
        whatsapp_token=SecretStr(providers.whatsapp_token),
        whatsapp_phone_number_id=providers.phone_number_id,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr("wa-verify"),
        meta_page_token=SecretStr(providers.page_token),
        meta_app_secret=SecretStr(APP_SECRET),
        meta_verify_token=SecretStr("meta-verify"),
        instagram_account_id=providers.instagram_account_id,
        graph_api_url=providers.graph_url,
        max_webhook_bytes=64_000,
    )
    app = create_app(settings, clock=clock, knowledge="none")
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    yield Served(f"http://127.0.0.1:{port}", app)
    running.should_exit = True
    await task


async def sent_texts(providers: FakeProviders, provider: str, count: int = 1) -> list[str]:
    """The texts `provider` accepted, once there are at least `count` (20 s at most)."""
    for _ in range(400):
        texts = providers.texts(provider)  # type: ignore[arg-type]
        if len(texts) >= count:
            return texts
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{provider} got {providers.texts(provider)} after 20 s")  # type: ignore[arg-type]
