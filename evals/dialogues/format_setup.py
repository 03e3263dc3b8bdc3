"""The ``setup:`` part of the eval suite format: data seeded before a dialogue's first step."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, PositiveInt

from evals.dialogues.format_expect import Strict


class SeedContact(Strict):
    """A CRM contact known on one channel."""

    id: str
    """A name to refer to this contact elsewhere in the setup (``contact: c1``)."""
    channel: str = "telegram"
    external_id: str
    """The sender id on that channel; the dialogue's ``customer`` writes as this contact when equal."""
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    phone_verified: bool = False
    email_verified: bool = False
    language: Literal["en", "ru"] | None = None
    tags: list[str] = Field(default_factory=list)
    opted_out: bool = False


class SeedItem(Strict):
    """One product line of an order."""

    product_id: str
    name: str
    quantity: PositiveInt = 1
    unit_price: Decimal
    """In the business currency's major units (1490 = 1 490 ₽)."""


class SeedDelivery(Strict):
    """How an order reaches the customer."""

    method: str = "courier"
    address: str | None = None
    tracking_number: str | None = None
    carrier: str | None = None
    expected_on: date | None = None


OrderStatusName = Literal[
    "placed",
    "paid",
    "packed",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
    "returned",
    "refunded",
]


class SeedOrder(Strict):
    """A shop order, moved through the allowed statuses up to `status`."""

    number: str
    contact: str
    """A setup contact id."""
    items: list[SeedItem] = Field(min_length=1)
    status: OrderStatusName = "placed"
    email: str | None = None
    phone: str | None = None
    delivery: SeedDelivery = Field(default_factory=SeedDelivery)


class SeedBooking(Strict):
    """A confirmed (or otherwise) booking of a setup contact."""

    contact: str
    """A setup contact id."""
    service: str
    staff: str | None = None
    """Default: the service's first staff member."""
    start: datetime
    """Without a UTC offset it is read in the business's time zone."""
    status: Literal["confirmed", "awaiting_deposit", "cancelled", "completed", "no_show"] = "confirmed"
    fields: dict[str, str] = Field(default_factory=dict)
    """Required details (name, phone…); taken from the contact when not given."""


class SeedBusy(Strict):
    """Time a staff member is taken (by a booking of a placeholder contact)."""

    service: str
    staff: str | None = None
    start: datetime
    minutes: PositiveInt | None = None
    """Default: the service's duration."""


class Setup(Strict):
    """Data seeded before the first step."""

    contacts: list[SeedContact] = Field(default_factory=list)
    orders: list[SeedOrder] = Field(default_factory=list)
    bookings: list[SeedBooking] = Field(default_factory=list)
    busy: list[SeedBusy] = Field(default_factory=list)
    knowledge: list[str] = Field(default_factory=list)
    """Reserved for the knowledge base: paths are accepted and not used yet."""


__all__ = [
    "SeedBooking",
    "SeedBusy",
    "SeedContact",
    "SeedDelivery",
    "SeedItem",
    "SeedOrder",
    "Setup",
]
