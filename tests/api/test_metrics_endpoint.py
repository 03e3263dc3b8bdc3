"""``/metrics`` over real HTTP, on SQLite and PostgreSQL: what a Prometheus scrape sees, and who may scrape."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from server.app import create_app
from server.settings import Settings
from tests.api.conftest import Served
from tests.api.console_client import CONVERSATION, Customer
from tests.api.test_payment_page import _free_port, _until_started
from tests.conftest import DATABASES, ROOT
from tools.clock import FrozenClock
from tools.conversations import Direction
from tools.inbox import DeliveryStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
TOKEN = "scrape-me-7f3a"


@pytest.fixture
async def guarded(database_url: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[str]:
    """A server (no channels) whose ``/metrics`` needs `TOKEN`; its URL."""
    port = _free_port()
    settings = Settings(
        playbook=ROOT / "examples/studio/playbook.yaml",
        data_dir=tmp_path,
        database_url=database_url,
        host="127.0.0.1",
        port=port,
        burst_s=0,
        metrics_token=SecretStr(TOKEN),
    )
    app = create_app(settings, clock=clock, knowledge="none")
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def _answered(served: Served) -> None:
    """Wait until the customer's message has been answered and every answer sent."""
    inbox = served.state.stores.inbox
    for _ in range(400):
        await asyncio.sleep(0.05)
        handled = await inbox.last_open_at(CONVERSATION) is None
        waiting = await inbox.deliveries(status=DeliveryStatus.PENDING)
        if handled and not waiting and await inbox.deliveries(status=DeliveryStatus.SENT):
            return
    raise TimeoutError("the customer's message was not answered")


async def test_a_scrape_shows_an_answered_telegram_message(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        await Customer(client).says("сколько стоит маникюр?")
        await _answered(served)
        scrape = await client.get("/metrics")
    transcript = await served.state.stores.conversations.transcript(CONVERSATION)
    replies = sum(1 for message in transcript if message.direction is Direction.OUT)
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = set(scrape.text.splitlines())
    assert replies >= 1
    assert {
        "frontdesk_up 1",
        'frontdesk_messages_total{channel="telegram",direction="in"} 1',
        f'frontdesk_messages_total{{channel="telegram",direction="out"}} {replies}',
        'frontdesk_conversations{state="bot"} 1',
        'frontdesk_conversations{state="human"} 0',
        'frontdesk_inbox_events{status="done"} 1',
        'frontdesk_inbox_events{status="pending"} 0',
        "frontdesk_inbox_oldest_pending_seconds 0",
        f'frontdesk_deliveries{{channel="telegram",status="sent"}} {replies}',
        "frontdesk_outbox_oldest_pending_seconds 0",
        "frontdesk_approvals_pending 0",
        'frontdesk_staff_alerts{status="dead"} 0',
        "# TYPE frontdesk_messages_total counter",
        "# TYPE frontdesk_conversations gauge",
    } <= lines


async def test_a_scrape_shows_how_long_webhooks_took_to_answer(served: Served) -> None:
    """Every webhook answered by this process is counted in a histogram, refused ones included."""
    async with httpx.AsyncClient(base_url=served.url) as client:
        await Customer(client).says("сколько стоит маникюр?")
        refused = await client.post(
            "/webhooks/telegram", content=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        scrape = await client.get("/metrics")
    assert refused.status_code == 401
    lines = scrape.text.splitlines()
    assert "# TYPE frontdesk_webhook_ack_seconds histogram" in lines
    assert {
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="+Inf"} 2',
        'frontdesk_webhook_ack_seconds_count{channel="telegram"} 2',
        'frontdesk_webhook_ack_seconds_count{channel="whatsapp"} 0',
    } <= set(lines)
    buckets = [
        int(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith('frontdesk_webhook_ack_seconds_bucket{channel="telegram"')
    ]
    assert len(buckets) == 11 and buckets == sorted(buckets), "cumulative, one per bound and +Inf"
    [total] = [
        line for line in lines if line.startswith('frontdesk_webhook_ack_seconds_sum{channel="telegram"}')
    ]
    assert 0 < float(total.rsplit(" ", 1)[1]) < 10


async def test_without_a_token_only_this_machine_may_scrape(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        local = await client.get("/metrics")
        proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert local.status_code == 200
    assert proxied.status_code == 403
    assert "FRONTDESK_METRICS_TOKEN" in proxied.json()["detail"]


async def test_with_a_token_a_scraper_must_send_it(guarded: str) -> None:
    async with httpx.AsyncClient(base_url=guarded) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert [missing.status_code, wrong.status_code, basic.status_code] == [401, 401, 401]
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200
    assert "frontdesk_up 1" in right.text.splitlines()
    assert 'frontdesk_conversations{state="bot"} 0' in right.text.splitlines()
