"""When the database goes away under a running server, webhooks get 503 (the provider delivers again)."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import make_url

from tests.api.conftest import TELEGRAM_SECRET, Served
from tests.channels.payloads import tg_message
from tests.conftest import _admin
from tests.fakes.providers import telegram_secret_headers

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def test_an_unreachable_database_answers_503_so_the_provider_delivers_again(
    served: Served, database_url: str
) -> None:
    name = make_url(database_url).database
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    body = json.dumps(tg_message(text="вы тут?"), ensure_ascii=False).encode()
    async with httpx.AsyncClient(base_url=served.url) as client:
        answer = await client.post(
            "/webhooks/telegram", content=body, headers=telegram_secret_headers(TELEGRAM_SECRET)
        )
        ready = await client.get("/readyz")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "retry" in answer.json()["detail"]
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
