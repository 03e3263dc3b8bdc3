"""The billing contract, on SQLite and PostgreSQL: quotes, one invoice per quote, payments once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import DATABASES
from tools.billing import InvoiceKind, InvoiceStatus, LineItem, NewQuote, QuoteStatus
from tools.errors import Conflict, InvalidInput, NotFound
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)

VALID = datetime(2027, 3, 15, tzinfo=UTC)
AREA = LineItem("Cosmetic renovation", Decimal("42.5"), "m2", 600000, 900000)
DESIGN = LineItem("Design visit", Decimal(1), None, 500000, 500000)


async def _quote(stores: BusinessStores, key: str = "q1"):
    contact = await stores.crm.contact_for_identity("telegram", "42", key="c")
    return await stores.billing.create_quote(
        NewQuote(contact.id, [AREA, DESIGN], "RUB", VALID, assumptions=["Materials by the customer"]), key=key
    )


async def test_a_quote_totals_its_lines_as_a_range(stores: BusinessStores) -> None:
    quote = await _quote(stores)
    assert quote.status is QuoteStatus.DRAFT
    assert (quote.total_low_minor, quote.total_high_minor) == (25_500_000 + 500_000, 38_250_000 + 500_000)
    assert quote.is_range
    assert quote.items == (AREA, DESIGN)
    assert quote.assumptions == ("Materials by the customer",)


async def test_a_quote_needs_lines(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "42", key="c")
    with pytest.raises(InvalidInput):
        await stores.billing.create_quote(NewQuote(contact.id, [], "RUB", VALID), key="q")


async def test_staff_approval_with_edit_replaces_the_lines_and_records_who(stores: BusinessStores) -> None:
    quote = await _quote(stores)
    await stores.billing.set_quote_status(
        quote.id, QuoteStatus.PENDING_APPROVAL, key="s1", actor="agent:quoting"
    )
    edited = await stores.billing.set_quote_status(
        quote.id,
        QuoteStatus.SENT,
        key="s2",
        actor="staff:pavel",
        note="rounded down",
        items=[LineItem("Cosmetic renovation", Decimal(42), "m2", 600000, 800000)],
    )
    assert (edited.total_low_minor, edited.total_high_minor) == (25_200_000, 33_600_000)
    assert edited.decided_by == "staff:pavel" and edited.decision_note == "rounded down"
    with pytest.raises(Conflict):
        await stores.billing.set_quote_status(quote.id, QuoteStatus.DRAFT, key="s3")


async def test_only_an_accepted_quote_is_invoiced_and_only_once(stores: BusinessStores) -> None:
    quote = await _quote(stores)
    with pytest.raises(Conflict, match="accepted"):
        await stores.billing.invoice_quote(quote.id, amount_minor=26_000_000, due_at=None, key="i0")
    await stores.billing.set_quote_status(quote.id, QuoteStatus.SENT, key="s1")
    await stores.billing.set_quote_status(quote.id, QuoteStatus.ACCEPTED, key="s2", actor="customer:x")
    with pytest.raises(InvalidInput):
        await stores.billing.invoice_quote(quote.id, amount_minor=1, due_at=None, key="i1")
    first = await stores.billing.invoice_quote(quote.id, amount_minor=26_000_000, due_at=VALID, key="i2")
    second = await stores.billing.invoice_quote(quote.id, amount_minor=27_000_000, due_at=VALID, key="i3")
    assert second.id == first.id
    assert first.kind is InvoiceKind.QUOTE and first.status is InvoiceStatus.OPEN
    assert len(await stores.billing.list_invoices()) == 1


async def test_concurrent_invoicing_of_one_quote_makes_one_invoice(stores: BusinessStores) -> None:
    quote = await _quote(stores)
    await stores.billing.set_quote_status(quote.id, QuoteStatus.SENT, key="s1")
    await stores.billing.set_quote_status(quote.id, QuoteStatus.ACCEPTED, key="s2")
    invoices = await asyncio.gather(
        *(
            stores.billing.invoice_quote(quote.id, amount_minor=26_000_000, due_at=None, key=f"i{n}")
            for n in range(8)
        )
    )
    assert len({invoice.id for invoice in invoices}) == 1


async def test_paying_through_the_token_marks_the_invoice_paid_once(stores: BusinessStores) -> None:
    quote = await _quote(stores)
    await stores.billing.set_quote_status(quote.id, QuoteStatus.SENT, key="s1")
    await stores.billing.set_quote_status(quote.id, QuoteStatus.ACCEPTED, key="s2")
    invoice = await stores.billing.invoice_quote(quote.id, amount_minor=26_000_000, due_at=None, key="i")
    assert (await stores.billing.invoice_by_token(invoice.payment_token)).id == invoice.id
    await stores.billing.record_payment(
        invoice.id, amount_minor=10_000_000, provider="builtin", provider_reference="r1", key="p1"
    )
    assert (await stores.billing.get_invoice(invoice.id)).status is InvoiceStatus.OPEN
    await stores.billing.record_payment(
        invoice.id, amount_minor=16_000_000, provider="builtin", provider_reference="r2", key="p2"
    )
    duplicate = await stores.billing.record_payment(
        invoice.id, amount_minor=16_000_000, provider="builtin", provider_reference="r2", key="p2-redelivered"
    )
    paid = await stores.billing.get_invoice(invoice.id)
    assert paid.status is InvoiceStatus.PAID and paid.paid_at is not None
    assert [p.provider_reference for p in await stores.billing.payments(invoice.id)] == ["r1", "r2"]
    assert duplicate.provider_reference == "r2"


async def test_an_unknown_token_is_not_found(stores: BusinessStores) -> None:
    with pytest.raises(NotFound):
        await stores.billing.invoice_by_token("nope")


async def test_a_voided_invoice_cannot_be_paid(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "42", key="c")
    from tools.calendar import NewBooking, Slot

    start = datetime(2027, 3, 2, 7, tzinfo=UTC)
    booking = await stores.calendar.book(
        NewBooking(
            contact.id, "coloring", Slot(start, start + timedelta(hours=2), "anna", None), deposit_minor=100
        ),
        key="b",
    )
    invoice = await stores.billing.invoice_deposit(
        booking.id,
        contact_id=contact.id,
        amount_minor=100,
        currency="RUB",
        description="Deposit",
        due_at=None,
        key="d",
    )
    await stores.billing.void_invoice(invoice.id, key="v")
    with pytest.raises(Conflict, match="voided"):
        await stores.billing.record_payment(
            invoice.id, amount_minor=100, provider="builtin", provider_reference="x", key="p"
        )
