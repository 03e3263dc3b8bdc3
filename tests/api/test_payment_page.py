"""The built-in payment page over real HTTP: shows the invoice, records the payment once."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import uvicorn

from server.app import create_app
from server.settings import Settings
from tests.conftest import DATABASES, ROOT
from tools.billing import InvoiceStatus, LineItem, NewQuote, QuoteStatus
from tools.calendar import BookingStatus
from tools.clock import FrozenClock
from tools.sql import BusinessStores, open_stores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until_started(running: uvicorn.Server) -> None:
    for _ in range(500):
        if running.started:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the test server did not start in 10 s")


@pytest.fixture
async def server(database_url: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[str]:
    port = _free_port()
    settings = Settings(
        playbook=ROOT / "tests/fixtures/minimal_playbook.yaml",
        data_dir=tmp_path,
        database_url=database_url,
        host="127.0.0.1",
        port=port,
    )
    config = uvicorn.Config(
        create_app(settings, clock=clock, knowledge="none"), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


@pytest.fixture
async def store(database_url: str, clock: FrozenClock) -> AsyncIterator[BusinessStores]:
    opened = await open_stores(database_url, clock=clock, migrate=False)
    yield opened
    await opened.close()


async def _invoice(store: BusinessStores, clock: FrozenClock):
    contact = await store.crm.contact_for_identity("telegram", "1", key="c")
    quote = await store.billing.create_quote(
        NewQuote(
            contact.id,
            [LineItem("Bridal hair", Decimal(1), None, 1_250_050, 1_250_050)],
            "RUB",
            clock.now() + timedelta(days=7),
        ),
        key="q",
    )
    await store.billing.set_quote_status(quote.id, QuoteStatus.SENT, key="s")
    await store.billing.set_quote_status(quote.id, QuoteStatus.ACCEPTED, key="a")
    return await store.billing.invoice_quote(quote.id, amount_minor=1_250_050, due_at=None, key="i")


async def test_the_page_shows_the_amount_in_the_customers_language(
    server: str, store: BusinessStores, clock: FrozenClock
) -> None:
    invoice = await _invoice(store, clock)
    async with httpx.AsyncClient(base_url=server) as client:
        russian = await client.get(f"/pay/{invoice.payment_token}")
        english = await client.get(f"/pay/{invoice.payment_token}", headers={"accept-language": "en-GB"})
    assert russian.status_code == 200
    assert "12\u00a0500,50\u00a0₽" in russian.text and "Оплатить" in russian.text
    assert "₽12,500.50" in english.text and ">Pay ₽12,500.50<" in english.text


async def test_paying_twice_records_one_payment(
    server: str, store: BusinessStores, clock: FrozenClock
) -> None:
    invoice = await _invoice(store, clock)
    async with httpx.AsyncClient(base_url=server, follow_redirects=True) as client:
        first, second = await asyncio.gather(
            client.post(f"/pay/{invoice.payment_token}?lang=en"),
            client.post(f"/pay/{invoice.payment_token}?lang=en"),
        )
        again = await client.get(f"/pay/{invoice.payment_token}?lang=en")
    assert first.status_code == second.status_code == 200
    assert 'data-status="paid"' in again.text
    assert (await store.billing.get_invoice(invoice.id)).status is InvoiceStatus.PAID
    assert len(await store.billing.payments(invoice.id)) == 1


async def test_paying_a_deposit_confirms_the_booking(
    server: str, store: BusinessStores, clock: FrozenClock
) -> None:
    from tools.appointments import Appointments
    from tools.playbook import load_playbook

    desk = Appointments(
        load_playbook(ROOT / "tests/fixtures/minimal_playbook.yaml"), store.calendar, store.billing, clock
    )
    contact = await store.crm.contact_for_identity("telegram", "2", key="c2")
    slot = (await desk.free_slots("coloring", limit=1))[0]
    result = await desk.book(
        contact.id, "coloring", slot, fields={"name": "O", "phone": "1", "email": "o@x.io"}, key="b"
    )
    assert result.deposit_invoice is not None
    async with httpx.AsyncClient(base_url=server, follow_redirects=True) as client:
        await client.post(f"/pay/{result.deposit_invoice.payment_token}")
    assert (await store.calendar.get_booking(result.booking.id)).status is BookingStatus.CONFIRMED


async def test_an_unknown_link_is_a_polite_404(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        page = await client.get("/pay/not-a-token?lang=en")
        posted = await client.post("/pay/not-a-token?lang=en")
    assert page.status_code == posted.status_code == 404
    assert "not valid" in page.text


async def test_health_and_the_start_page(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        ready = await client.get("/readyz")
        home = await client.get("/?lang=en")
    assert ready.json() == {"ready": True, "checks": {"database": "ok", "knowledge_base": "unavailable"}}
    assert "Tiny Salon" in home.text and "Haircut" in home.text and "₽4,000–₽9,000" in home.text
