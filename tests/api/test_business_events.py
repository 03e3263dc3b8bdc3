"""The business events API over real HTTP, on SQLite and PostgreSQL: tokens, validation, and what each event does."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.api.conftest import Served, sent_texts
from tests.api.console_client import Customer, answered_customer
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders
from tools.billing import InvoiceStatus, LineItem, NewQuote, QuoteStatus
from tools.booking_timers import booking_group
from tools.calendar import BookingStatus
from tools.clock import FrozenClock
from tools.crm import LeadSource, LeadStage, NewLead
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _token(served: Served, name: str = "shop") -> dict[str, str]:
    secret, _ = await served.state.stores.api_tokens.create_token(name, actor="test")
    return {"authorization": f"Bearer {secret}"}


async def test_without_a_valid_token_nothing_happens(served: Served) -> None:
    headers = await _token(served)
    event = {"type": "lead_status_changed", "id": "e1", "lead_id": "ld_x", "stage": "won"}
    async with httpx.AsyncClient(base_url=served.url) as client:
        for bad in (
            {},
            {"authorization": "Bearer fdt_guess"},
            {"authorization": headers["authorization"][:-2]},
        ):
            answer = await client.post("/api/events", json=event, headers=bad)
            assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        await served.state.stores.api_tokens.revoke("shop", actor="test")
        assert (await client.post("/api/events", json=event, headers=headers)).status_code == 401


async def test_unknown_types_and_malformed_events_are_refused_with_the_reason(served: Served) -> None:
    headers = await _token(served)
    async with httpx.AsyncClient(base_url=served.url, headers=headers) as client:
        unknown = await client.post("/api/events", json={"type": "order_teleported", "id": "e1"})
        assert unknown.status_code == 422
        assert unknown.json()["allowed"] == [
            "payment_received",
            "appointment_no_show",
            "lead_status_changed",
            "service_completed",
            "order_delivered",
        ]
        missing = await client.post("/api/events", json={"type": "appointment_no_show", "id": "e2"})
        assert missing.status_code == 422 and "booking_id" in missing.json()["detail"]
        wrong = await client.post(
            "/api/events", json={"type": "lead_status_changed", "id": "e3", "lead_id": "x", "stage": "sold"}
        )
        assert wrong.status_code == 422 and "stage" in wrong.json()["detail"]
        garbage = await client.post(
            "/api/events", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert garbage.status_code == 400
        gone = await client.post(
            "/api/events", json={"type": "appointment_no_show", "id": "e4", "booking_id": "bk_missing"}
        )
        assert gone.status_code == 404


async def test_a_payment_from_another_system_pays_the_invoice_and_the_customer_hears_once(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    billing = served.state.stores.billing
    async with httpx.AsyncClient(base_url=served.url) as client:
        contact = await answered_customer(served, client)
        item = LineItem("Bridal hair", Decimal(1), None, 1_800_000, 1_800_000)
        quote = await billing.create_quote(
            NewQuote(contact, [item], "RUB", clock.now() + timedelta(days=14), service_id="bridal-package"),
            key="q1",
        )
        for status in (QuoteStatus.SENT, QuoteStatus.ACCEPTED):
            await billing.set_quote_status(quote.id, status, key=f"q1-{status.value}")
        invoice = await billing.invoice_quote(quote.id, amount_minor=1_800_000, due_at=None, key="i1")
        before = len(providers.texts("telegram"))
        event = {
            "type": "payment_received",
            "id": "bank-991",
            "invoice_id": invoice.id,
            "reference": "SBP-991",
        }
        headers = await _token(served, "bank")
        answers = [await client.post("/api/events", json=event, headers=headers) for _ in range(3)]
        assert [a.status_code for a in answers] == [202] * 3
        assert answers[0].json()["outcome"] == f"invoice {invoice.id} is paid"
        texts = await sent_texts(providers, "telegram", before + 2)  # the payment, then the hand-off
        assert "18 000 ₽" in texts[before]
        await asyncio.sleep(1)
    assert len(providers.texts("telegram")) == before + 2, "told once, however often the bank reports it"
    assert (await billing.get_invoice(invoice.id)).status is InvoiceStatus.PAID
    [payment] = await billing.payments(invoice.id)
    assert payment.provider == "api:bank" and payment.provider_reference == "SBP-991"


async def test_a_no_show_marks_the_booking_and_stops_its_reminders(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        contact = await answered_customer(served, client)
        appointments = served.state.runner.deps.appointments
        start = datetime(2027, 3, 3, 15, 0, tzinfo=served.state.playbook.business.zone)
        [slot, *_] = await appointments.free_slots("manicure", start=start, end=start + timedelta(hours=1))
        booked = await appointments.book(
            contact, "manicure", slot, fields={"name": "Анна", "phone": "+79161234567"}, key="b1"
        )
        headers = await _token(served)
        event = {"type": "appointment_no_show", "id": "ns-1", "booking_id": booked.booking.id}
        answer = await client.post("/api/events", json=event, headers=headers)
        assert answer.status_code == 202 and answer.json()["outcome"].endswith("no_show")
    stores = served.state.stores
    assert (await stores.calendar.get_booking(booked.booking.id)).status is BookingStatus.NO_SHOW
    timers = await stores.timers.timers(group=booking_group(booked.booking.id))
    assert timers and {t.status for t in timers} == {TimerStatus.CANCELLED}


async def test_a_lead_won_elsewhere_ends_its_follow_ups(served: Served) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url) as client:
        contact = await answered_customer(served, client)
        lead = await stores.crm.create_lead(
            NewLead(contact, LeadSource("telegram"), service_id="manicure"), key="l1"
        )
        await Customer(client, first_message=600).says("Сколько стоит маникюр?")
        for _ in range(200):
            await asyncio.sleep(0.05)
            if await stores.timers.timers(status=TimerStatus.PENDING):
                break
        [follow_up] = await stores.timers.timers(status=TimerStatus.PENDING)
        event = {"type": "lead_status_changed", "id": "crm-7", "lead_id": lead.id, "stage": "won"}
        answer = await client.post("/api/events", json=event, headers=await _token(served, "crm"))
        assert answer.status_code == 202
    assert (await stores.crm.get_lead(lead.id)).stage is LeadStage.WON
    [ended] = [t for t in await stores.timers.timers() if t.id == follow_up.id]
    assert ended.status is TimerStatus.CANCELLED and ended.outcome == "the lead is won"
