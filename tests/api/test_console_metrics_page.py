"""The console's metrics page over real HTTP, on SQLite and PostgreSQL: a Telegram customer's answered
message shows up in the first-response figures, as a page (English and Russian) and as JSON."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import httpx
import pytest

from tests.api.conftest import TELEGRAM_SECRET, Served
from tests.api.console_client import CONVERSATION, PASSWORD, log_in
from tests.channels.payloads import tg_message
from tests.conftest import DATABASES
from tests.fakes.providers import telegram_secret_headers
from tools.clock import FrozenClock
from tools.inbox import DeliveryStatus
from tools.staff_accounts import StaffRole

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
ENGLISH = {"accept-language": "en"}
PAGE = {"accept": "text/html"}


async def _staff(served: Served) -> None:
    await served.state.stores.staff_accounts.add_account(
        "metrics_reader", name="Nadia", role=StaffRole.AGENT, password=PASSWORD, actor="test"
    )


async def _answered(served: Served) -> None:
    """Wait until the customer's message has been answered and the answer sent."""
    inbox = served.state.stores.inbox
    for _ in range(400):
        await asyncio.sleep(0.05)
        if await inbox.last_open_at(CONVERSATION) is None and not await inbox.deliveries(
            status=DeliveryStatus.PENDING
        ):
            return
    raise TimeoutError("the customer's message was not answered")


async def _customer_wrote(
    client: httpx.AsyncClient, served: Served, clock: FrozenClock, ago: timedelta
) -> None:
    """The Telegram customer's message, sent `ago` before now (its ``date``), answered now."""
    sent = int((clock.now() - ago).timestamp())
    body = json.dumps(tg_message(update_id=990_001, message_id=991, text="привет", date=sent)).encode()
    answer = await client.post(
        "/webhooks/telegram", content=body, headers=telegram_secret_headers(TELEGRAM_SECRET)
    )
    assert answer.status_code == 200, answer.text
    await _answered(served)


def _channel_cell(html: str, channel: str, cell: str) -> str:
    """One cell of the first-response table's row for `channel`."""
    row = re.search(rf'<tr data-channel="{channel}">(.*?)</tr>', html, re.S)
    assert row, f"no {channel} row in the first-response table"
    found = re.search(rf'data-cell="{cell}"[^>]*>([^<]*)<', row.group(1))
    assert found, f"no {cell} cell in the {channel} row"
    return found.group(1)


async def test_the_metrics_page_needs_a_login(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        page = await client.get("/console/metrics?from=2027-02-01&to=2027-02-28", headers=PAGE)
        assert page.status_code == 303
        assert (
            page.headers["location"]
            == "/console/login?next=%2Fconsole%2Fmetrics%3Ffrom%3D2027-02-01%26to%3D2027-02-28"
        )
        assert (await client.get("/console/metrics?format=json")).status_code == 401


async def test_an_answered_message_counts_in_the_page_and_the_json(
    served: Served, clock: FrozenClock
) -> None:
    await _staff(served)
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        await _customer_wrote(client, served, clock, timedelta(seconds=45))
        assert (await log_in(client, "metrics_reader")).status_code == 303

        page = await client.get("/console/metrics", headers=PAGE)
        assert page.status_code == 200, page.text
        html = page.text
        assert 'aria-current="page">Metrics' in html
        assert 'value="2027-02-23"' in html and 'value="2027-03-01"' in html, "the last 7 days by default"
        assert _channel_cell(html, "telegram", "answered") == "1"
        assert _channel_cell(html, "telegram", "unanswered") == "0"
        assert _channel_cell(html, "telegram", "median") == "45 s", "written 45 s ago, answered now"
        for heading in (
            "First response",
            "Qualification rate",
            "Booking rate",
            "Solved without a person",
            "Drop-off points",
            "From price question to payment",
            "Satisfaction signals",
        ):
            assert f">{heading}</h2>" in html
        assert re.search(
            r'<svg [^>]*role="img" aria-label="Median first response by channel\. telegram: 45 s"', html
        )

        figures = await client.get("/console/metrics", params={"format": "json"})
        assert figures.status_code == 200
        data = figures.json()
        assert (data["from"], data["to"], data["zone"]) == ("2027-02-23", "2027-03-01", "Europe/Moscow")
        [telegram] = data["first_response_by_channel"]
        assert telegram["channel"] == "telegram" and telegram["times"]["count"] == 1
        assert data["first_response"]["count"] == 1
        assert set(data["solved_without_person"]) == {"numerator", "denominator", "rate"}

        earlier = await client.get("/console/metrics", params={"from": "2027-01-01", "to": "2027-01-31"})
        assert earlier.status_code == 200 and 'data-channel="telegram"' not in earlier.text
        assert "No data for this period." in earlier.text


async def test_a_period_backwards_is_refused_on_the_page(served: Served) -> None:
    await _staff(served)
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        await log_in(client, "metrics_reader")
        page = await client.get("/console/metrics", params={"from": "2027-03-05", "to": "2027-03-01"})
        assert page.status_code == 400
        assert "“From” (2027-03-05) is after “To” (2027-03-01): swap the dates." in page.text
        assert 'role="alert"' in page.text and 'value="2027-03-05"' in page.text, "the form keeps the dates"
        too_long = await client.get(
            "/console/metrics", params={"from": "2025-01-01", "to": "2027-03-01", "format": "json"}
        )
        assert too_long.status_code == 400 and "at most 366 days" in too_long.json()["detail"]
        garbled = await client.get("/console/metrics", params={"to": "<b>soon</b>"})
        assert garbled.status_code == 400 and "&lt;b&gt;soon&lt;/b&gt;" in garbled.text


async def test_the_page_speaks_russian(served: Served) -> None:
    await _staff(served)
    async with httpx.AsyncClient(base_url=served.url, headers={"accept-language": "ru"}) as client:
        await log_in(client, "metrics_reader")
        page = await client.get("/console/metrics")
        assert page.status_code == 200
        for heading in (
            "Метрики",
            "Первый ответ",
            "Доля квалифицированных",
            "Доля записей",
            "Решено без сотрудника",
            "Точки ухода",
            "От вопроса о цене до оплаты",
            "Сигналы удовлетворённости",
        ):
            assert re.search(rf">{heading}</h[12]>", page.text), heading
        assert '<label for="m-from">С</label>' in page.text and "7 дней" in page.text
        backwards = await client.get("/console/metrics", params={"from": "2027-03-05", "to": "2027-03-01"})
        assert "Дата «С» (2027-03-05) позже даты «По» (2027-03-01)" in backwards.text
