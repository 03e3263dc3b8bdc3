"""Billing on SQL: quotes, invoices, payment tokens and payments."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.billing import (
    QUOTE_TRANSITIONS,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    LineItem,
    NewQuote,
    Payment,
    Quote,
    QuoteStatus,
)
from tools.calendar import BookingStatus
from tools.errors import Conflict, InvalidInput, NotFound
from tools.ids import BookingId, ContactId, InvoiceId, LeadId, PaymentId, QuoteId, new_id
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import bookings, invoices, payments, quotes


def _items_json(items: Sequence[LineItem]) -> list[dict[str, object]]:
    return [
        {
            "description": i.description,
            "quantity": str(i.quantity),
            "unit": i.unit,
            "low": i.unit_price_low_minor,
            "high": i.unit_price_high_minor,
        }
        for i in items
    ]


def _items(raw: list[dict[str, Any]]) -> tuple[LineItem, ...]:
    return tuple(
        LineItem(r["description"], Decimal(r["quantity"]), r["unit"], int(r["low"]), int(r["high"]))
        for r in raw
    )


def _quote(row: Row[Any]) -> Quote:
    return Quote(
        id=QuoteId(row.id),
        contact_id=ContactId(row.contact_id),
        lead_id=LeadId(row.lead_id) if row.lead_id else None,
        service_id=row.service_id,
        package_id=row.package_id,
        items=_items(row.items),
        assumptions=tuple(row.assumptions),
        total_low_minor=row.total_low_minor,
        total_high_minor=row.total_high_minor,
        currency=row.currency,
        status=QuoteStatus(row.status),
        valid_until=row.valid_until,
        decided_by=row.decided_by,
        decision_note=row.decision_note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _invoice(row: Row[Any]) -> Invoice:
    return Invoice(
        id=InvoiceId(row.id),
        kind=InvoiceKind(row.kind),
        contact_id=ContactId(row.contact_id),
        quote_id=QuoteId(row.quote_id) if row.quote_id else None,
        booking_id=BookingId(row.booking_id) if row.booking_id else None,
        amount_minor=row.amount_minor,
        currency=row.currency,
        description=row.description,
        status=InvoiceStatus(row.status),
        payment_token=row.payment_token,
        due_at=row.due_at,
        paid_at=row.paid_at,
        created_at=row.created_at,
    )


def _totals(items: Sequence[LineItem]) -> tuple[int, int]:
    if not items:
        raise InvalidInput("a quote needs at least one line item")
    low = sum(item.total_low_minor for item in items)
    high = sum(item.total_high_minor for item in items)
    if low < 0 or high < low:
        raise InvalidInput("each line's high price must be at least its low price, and neither negative")
    return low, high


class SqlBilling(SqlBase):
    """`BillingStore` on SQLite or PostgreSQL."""

    async def create_quote(self, quote: NewQuote, *, key: str, actor: str = "system") -> Quote:
        """Draft a quote."""
        low, high = _totals(quote.items)

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, quote.contact_id)
            now = self._clock.now()
            quote_id = new_id("qt")
            await connection.execute(
                insert(quotes).values(
                    id=quote_id,
                    contact_id=contact.id,
                    lead_id=quote.lead_id,
                    service_id=quote.service_id,
                    package_id=quote.package_id,
                    items=_items_json(quote.items),
                    assumptions=list(quote.assumptions),
                    total_low_minor=low,
                    total_high_minor=high,
                    currency=quote.currency,
                    status=QuoteStatus.DRAFT.value,
                    valid_until=quote.valid_until,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self.record(
                connection,
                Change(
                    "quote.created", "quote", quote_id, f"{low / 100:.2f}–{high / 100:.2f} {quote.currency}"
                ),
                actor=actor,
                key=key,
                contact_id=contact.id,
            )
            return quote_id

        return await self.write(
            key=key,
            operation="create_quote",
            request=fingerprint(quote),
            work=work,
            load=lambda qid: self.get_quote(QuoteId(qid)),
        )

    async def set_quote_status(
        self,
        quote_id: QuoteId,
        status: QuoteStatus,
        *,
        key: str,
        actor: str = "system",
        note: str | None = None,
        items: Sequence[LineItem] | None = None,
    ) -> Quote:
        """Move a quote on (Conflict if not allowed); staff edits replace the items."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._quote_row(connection, quote_id, lock=True)
            current = QuoteStatus(row.status)
            if status not in QUOTE_TRANSITIONS[current]:
                raise Conflict(f"quote {quote_id} is {current.value}; it cannot become {status.value}")
            values: dict[str, object] = {"status": status.value, "updated_at": self._clock.now()}
            if items is not None:
                values["total_low_minor"], values["total_high_minor"] = _totals(items)
                values["items"] = _items_json(items)
            if actor.startswith("staff:") or note is not None:
                values["decided_by"] = actor
                values["decision_note"] = note
            await connection.execute(update(quotes).where(quotes.c.id == quote_id).values(**values))
            detail = (
                f"{current.value} → {status.value}"
                + (" (edited)" if items is not None else "")
                + (f": {note}" if note else "")
            )
            await self.record(
                connection,
                Change(f"quote.{status.value}", "quote", quote_id, detail),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(quote_id)

        return await self.write(
            key=key,
            operation="quote_status",
            request=fingerprint(quote_id, status, note, tuple(items or ())),
            work=work,
            load=lambda qid: self.get_quote(QuoteId(qid)),
        )

    async def _quote_row(self, connection: AsyncConnection, quote_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(quotes).where(quotes.c.id == quote_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no quote {quote_id!r}")
        return row

    async def get_quote(self, quote_id: QuoteId) -> Quote:
        """Return a quote (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _quote(await self._quote_row(connection, quote_id))

    async def list_quotes(self, *, contact_id: ContactId | None = None) -> list[Quote]:
        """Quotes, newest first."""
        query = select(quotes).order_by(quotes.c.created_at.desc(), quotes.c.id.desc())
        async with reading(self._engine) as connection:
            if contact_id is not None:
                query = query.where(quotes.c.contact_id == (await self._live_row(connection, contact_id)).id)
            return [_quote(row) for row in (await connection.execute(query)).all()]

    async def _existing_invoice(self, connection: AsyncConnection, column: Any, value: str) -> str | None:
        """The invoice already issued for a quote or a booking, if any."""
        row = (await connection.execute(select(invoices.c.id).where(column == value))).first()
        return str(row.id) if row is not None else None

    async def _new_invoice(
        self, connection: AsyncConnection, *, detail: str, actor: str, key: str, **values: Any
    ) -> str:
        """Insert an open invoice with a fresh payment token, and audit it on the contact's timeline."""
        now = self._clock.now()
        invoice_id = new_id("inv")
        await connection.execute(
            insert(invoices).values(
                id=invoice_id,
                status=InvoiceStatus.OPEN.value,
                payment_token=secrets.token_urlsafe(24),
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        await self.record(
            connection,
            Change("invoice.created", "invoice", invoice_id, detail),
            actor=actor,
            key=key,
            contact_id=values["contact_id"],
        )
        return invoice_id

    async def invoice_quote(
        self,
        quote_id: QuoteId,
        *,
        amount_minor: int,
        due_at: datetime | None,
        key: str,
        actor: str = "system",
    ) -> Invoice:
        """Issue the invoice of an accepted quote (the same invoice if it exists)."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._quote_row(connection, quote_id, lock=True)
            existing = await self._existing_invoice(connection, invoices.c.quote_id, quote_id)
            if existing is not None:
                return existing
            if row.status != QuoteStatus.ACCEPTED.value:
                raise Conflict(f"quote {quote_id} is {row.status}; only an accepted quote is invoiced")
            if not row.total_low_minor <= amount_minor <= row.total_high_minor:
                raise InvalidInput("the invoice amount must lie within the quote's range")
            invoice_id = await self._new_invoice(
                connection,
                kind=InvoiceKind.QUOTE.value,
                contact_id=row.contact_id,
                quote_id=quote_id,
                amount_minor=amount_minor,
                currency=row.currency,
                description=f"Quote {quote_id}",
                due_at=due_at,
                detail=f"{amount_minor / 100:.2f} {row.currency} for quote {quote_id}",
                actor=actor,
                key=key,
            )
            return invoice_id

        return await self.write(
            key=key,
            operation="invoice_quote",
            request=fingerprint(quote_id, amount_minor, due_at),
            work=work,
            load=lambda iid: self.get_invoice(InvoiceId(iid)),
            on_conflict=lambda _: self._invoice_for(invoices.c.quote_id, quote_id),
        )

    async def invoice_deposit(
        self,
        booking_id: BookingId,
        *,
        contact_id: ContactId,
        amount_minor: int,
        currency: str,
        description: str,
        due_at: datetime | None,
        key: str,
        actor: str = "system",
    ) -> Invoice:
        """Issue the deposit invoice of a booking (the same invoice if it exists)."""
        if amount_minor <= 0:
            raise InvalidInput("a deposit must be more than zero")

        async def work(connection: AsyncConnection) -> str:
            existing = await self._existing_invoice(connection, invoices.c.booking_id, booking_id)
            if existing is not None:
                return existing
            contact = await self._live_row(connection, contact_id)
            invoice_id = await self._new_invoice(
                connection,
                kind=InvoiceKind.DEPOSIT.value,
                contact_id=contact.id,
                booking_id=booking_id,
                amount_minor=amount_minor,
                currency=currency,
                description=description,
                due_at=due_at,
                detail=f"deposit {amount_minor / 100:.2f} {currency} for {booking_id}",
                actor=actor,
                key=key,
            )
            return invoice_id

        return await self.write(
            key=key,
            operation="invoice_deposit",
            request=fingerprint(booking_id, contact_id, amount_minor, currency, description, due_at),
            work=work,
            load=lambda iid: self.get_invoice(InvoiceId(iid)),
            on_conflict=lambda _: self._invoice_for(invoices.c.booking_id, booking_id),
        )

    async def _invoice_row(
        self, connection: AsyncConnection, invoice_id: str, *, lock: bool = False
    ) -> Row[Any]:
        query = select(invoices).where(invoices.c.id == invoice_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no invoice {invoice_id!r}")
        return row

    async def _invoice_for(self, column: Any, value: str) -> Invoice:
        """The invoice a concurrent request created for the same quote or booking."""
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(invoices).where(column == value))).one()
        return _invoice(row)

    async def get_invoice(self, invoice_id: InvoiceId) -> Invoice:
        """Return an invoice (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _invoice(await self._invoice_row(connection, invoice_id))

    async def invoice_by_token(self, token: str) -> Invoice:
        """Return the invoice behind a payment link (NotFound if none)."""
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(select(invoices).where(invoices.c.payment_token == token))
            ).first()
        if row is None:
            raise NotFound("no invoice has this payment link")
        return _invoice(row)

    async def list_invoices(self, *, contact_id: ContactId | None = None) -> list[Invoice]:
        """Invoices, newest first."""
        query = select(invoices).order_by(invoices.c.created_at.desc(), invoices.c.id.desc())
        async with reading(self._engine) as connection:
            if contact_id is not None:
                query = query.where(
                    invoices.c.contact_id == (await self._live_row(connection, contact_id)).id
                )
            return [_invoice(row) for row in (await connection.execute(query)).all()]

    async def void_invoice(self, invoice_id: InvoiceId, *, key: str, actor: str = "system") -> Invoice:
        """Cancel an unpaid invoice."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._invoice_row(connection, invoice_id, lock=True)
            if row.status != InvoiceStatus.OPEN.value:
                raise Conflict(f"invoice {invoice_id} is {row.status}; only an open invoice can be voided")
            await connection.execute(
                update(invoices)
                .where(invoices.c.id == invoice_id)
                .values(status=InvoiceStatus.VOID.value, updated_at=self._clock.now())
            )
            await self.record(
                connection,
                Change("invoice.void", "invoice", invoice_id, "voided"),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(invoice_id)

        return await self.write(
            key=key,
            operation="void_invoice",
            request=fingerprint(invoice_id),
            work=work,
            load=lambda iid: self.get_invoice(InvoiceId(iid)),
        )

    async def record_payment(
        self,
        invoice_id: InvoiceId,
        *,
        amount_minor: int,
        provider: str,
        provider_reference: str,
        key: str,
        actor: str = "system",
    ) -> Payment:
        """Record money received; a paid deposit confirms its booking. Once per reference."""
        if amount_minor <= 0:
            raise InvalidInput("a payment must be more than zero")

        async def work(connection: AsyncConnection) -> str:
            twin = (
                await connection.execute(
                    select(payments.c.id).where(
                        payments.c.provider == provider, payments.c.provider_reference == provider_reference
                    )
                )
            ).first()
            if twin is not None:
                return str(twin.id)
            row = await self._invoice_row(connection, invoice_id, lock=True)
            if row.status == InvoiceStatus.VOID.value:
                raise Conflict(f"invoice {invoice_id} was voided; it cannot be paid")
            now = self._clock.now()
            payment_id = new_id("pay")
            await connection.execute(
                insert(payments).values(
                    id=payment_id,
                    invoice_id=invoice_id,
                    amount_minor=amount_minor,
                    currency=row.currency,
                    provider=provider,
                    provider_reference=provider_reference,
                    created_at=now,
                )
            )
            paid = (
                (
                    await connection.execute(
                        select(payments.c.amount_minor).where(payments.c.invoice_id == invoice_id)
                    )
                )
                .scalars()
                .all()
            )
            if row.status == InvoiceStatus.OPEN.value and sum(paid) >= row.amount_minor:
                await connection.execute(
                    update(invoices)
                    .where(invoices.c.id == invoice_id)
                    .values(status=InvoiceStatus.PAID.value, paid_at=now, updated_at=now)
                )
                await self.record(
                    connection,
                    Change(
                        "invoice.paid",
                        "invoice",
                        str(invoice_id),
                        f"paid {sum(paid) / 100:.2f} {row.currency}",
                    ),
                    actor=actor,
                    key=key,
                    contact_id=row.contact_id,
                )
                if row.booking_id is not None:
                    await self._confirm_deposit(connection, row.booking_id, actor=actor, key=key)
            else:
                await self.audit(
                    connection,
                    Change(
                        "payment.received", "payment", payment_id, f"{amount_minor / 100:.2f} {row.currency}"
                    ),
                    actor=actor,
                    key=key,
                )
            return payment_id

        return await self.write(
            key=key,
            operation="record_payment",
            request=fingerprint(invoice_id, amount_minor, provider, provider_reference),
            work=work,
            load=self._payment,
        )

    async def _confirm_deposit(
        self, connection: AsyncConnection, booking_id: str, *, actor: str, key: str
    ) -> None:
        result = await connection.execute(
            update(bookings)
            .where(
                bookings.c.id == booking_id,
                bookings.c.status == BookingStatus.AWAITING_DEPOSIT.value,
            )
            .values(status=BookingStatus.CONFIRMED.value, updated_at=self._clock.now())
        )
        if result.rowcount:
            await self.audit(
                connection,
                Change("booking.confirmed", "booking", booking_id, "deposit paid"),
                actor=actor,
                key=key,
            )

    async def _payment(self, payment_id: str) -> Payment:
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(payments).where(payments.c.id == payment_id))).one()
        return Payment(
            PaymentId(row.id),
            InvoiceId(row.invoice_id),
            row.amount_minor,
            row.currency,
            row.provider,
            row.provider_reference,
            row.created_at,
        )

    async def payments(self, invoice_id: InvoiceId) -> list[Payment]:
        """Payments of an invoice, oldest first."""
        async with reading(self._engine) as connection:
            rows = (
                await connection.execute(
                    select(payments)
                    .where(payments.c.invoice_id == invoice_id)
                    .order_by(payments.c.created_at, payments.c.id)
                )
            ).all()
        return [
            Payment(
                PaymentId(r.id),
                InvoiceId(r.invoice_id),
                r.amount_minor,
                r.currency,
                r.provider,
                r.provider_reference,
                r.created_at,
            )
            for r in rows
        ]
