"""Billing: quotes, invoices (one per accepted quote), deposits, payment links and payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from tools.ids import BookingId, ContactId, InvoiceId, LeadId, PaymentId, QuoteId


class QuoteStatus(StrEnum):
    """The life of a quote."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    """Above the approval threshold: waiting for staff."""
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    """Declined by staff or by the customer."""
    EXPIRED = "expired"


class InvoiceStatus(StrEnum):
    """The life of an invoice."""

    OPEN = "open"
    PAID = "paid"
    VOID = "void"


class InvoiceKind(StrEnum):
    """What an invoice is for."""

    QUOTE = "quote"
    """Issued from an accepted quote."""
    DEPOSIT = "deposit"
    """A prepayment that holds a booking."""


@dataclass(frozen=True)
class LineItem:
    """One line of a quote."""

    description: str
    quantity: Decimal
    unit: str | None
    unit_price_low_minor: int
    unit_price_high_minor: int
    """Equal to the low price for a fixed price."""

    @property
    def total_low_minor(self) -> int:
        """The line's lowest total."""
        return int((Decimal(str(self.quantity)) * self.unit_price_low_minor).to_integral_value())

    @property
    def total_high_minor(self) -> int:
        """The line's highest total."""
        return int((Decimal(str(self.quantity)) * self.unit_price_high_minor).to_integral_value())


@dataclass(frozen=True)
class NewQuote:
    """What is needed to draft a quote."""

    contact_id: ContactId
    items: Sequence[LineItem]
    currency: str
    valid_until: datetime
    lead_id: LeadId | None = None
    service_id: str | None = None
    assumptions: Sequence[str] = ()
    package_id: str | None = None


@dataclass(frozen=True)
class Quote:
    """A price proposal: fixed when low equals high, else a range."""

    id: QuoteId
    contact_id: ContactId
    lead_id: LeadId | None
    service_id: str | None
    package_id: str | None
    items: tuple[LineItem, ...]
    assumptions: tuple[str, ...]
    total_low_minor: int
    total_high_minor: int
    currency: str
    status: QuoteStatus
    valid_until: datetime
    decided_by: str | None
    """Who approved or rejected it, when staff did."""
    decision_note: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_range(self) -> bool:
        """Whether the quote gives a range rather than a fixed price."""
        return self.total_low_minor != self.total_high_minor


@dataclass(frozen=True)
class Invoice:
    """A bill to pay through its payment link."""

    id: InvoiceId
    kind: InvoiceKind
    contact_id: ContactId
    quote_id: QuoteId | None
    booking_id: BookingId | None
    amount_minor: int
    currency: str
    description: str
    status: InvoiceStatus
    payment_token: str
    """The secret part of the payment link."""
    due_at: datetime | None
    paid_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Payment:
    """Money received against an invoice."""

    id: PaymentId
    invoice_id: InvoiceId
    amount_minor: int
    currency: str
    provider: str
    provider_reference: str
    created_at: datetime


QUOTE_TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.PENDING_APPROVAL, QuoteStatus.SENT, QuoteStatus.REJECTED}),
    QuoteStatus.PENDING_APPROVAL: frozenset({QuoteStatus.SENT, QuoteStatus.REJECTED}),
    QuoteStatus.SENT: frozenset({QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED}),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.REJECTED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
}


class BillingStore(Protocol):
    """Quotes, invoices and payments. The database allows one invoice per quote and
    one deposit invoice per booking; a payment is recorded once per provider reference."""

    async def create_quote(self, quote: NewQuote, *, key: str, actor: str = "system") -> Quote:
        """Draft a quote."""
        ...

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
        ...

    async def get_quote(self, quote_id: QuoteId) -> Quote:
        """Return a quote (NotFound if none)."""
        ...

    async def list_quotes(self, *, contact_id: ContactId | None = None) -> list[Quote]:
        """Quotes, newest first."""
        ...

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
        ...

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
        ...

    async def get_invoice(self, invoice_id: InvoiceId) -> Invoice:
        """Return an invoice (NotFound if none)."""
        ...

    async def invoice_by_token(self, token: str) -> Invoice:
        """Return the invoice behind a payment link (NotFound if none)."""
        ...

    async def list_invoices(self, *, contact_id: ContactId | None = None) -> list[Invoice]:
        """Invoices, newest first."""
        ...

    async def void_invoice(self, invoice_id: InvoiceId, *, key: str, actor: str = "system") -> Invoice:
        """Cancel an unpaid invoice."""
        ...

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
        ...

    async def payments(self, invoice_id: InvoiceId) -> list[Payment]:
        """Payments of an invoice, oldest first."""
        ...
