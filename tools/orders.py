"""Shop orders: items, status history and delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import ContactId, OrderId


class OrderStatus(StrEnum):
    """The life of an order."""

    PLACED = "placed"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    REFUNDED = "refunded"


ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.PACKED, OrderStatus.CANCELLED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.RETURN_REQUESTED}),
    OrderStatus.RETURN_REQUESTED: frozenset({OrderStatus.RETURNED, OrderStatus.DELIVERED}),
    OrderStatus.RETURNED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
}


@dataclass(frozen=True)
class OrderItem:
    """One product line."""

    product_id: str
    name: str
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True)
class Delivery:
    """How the order reaches the customer."""

    method: str
    """``courier``, ``pickup``, ``post``…"""
    address: str | None = None
    tracking_number: str | None = None
    carrier: str | None = None
    expected_on: str | None = None
    """An ISO date, when known."""


@dataclass(frozen=True)
class StatusChange:
    """One entry of an order's history."""

    status: OrderStatus
    at: datetime
    note: str | None
    actor: str


@dataclass(frozen=True)
class NewOrder:
    """What is needed to record an order."""

    number: str
    """The customer-facing order id (matches the playbook's ``order_id_pattern``)."""
    contact_id: ContactId
    items: Sequence[OrderItem]
    currency: str
    delivery: Delivery
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Order:
    """A shop order."""

    id: OrderId
    number: str
    contact_id: ContactId
    items: tuple[OrderItem, ...]
    total_minor: int
    currency: str
    status: OrderStatus
    history: tuple[StatusChange, ...]
    delivery: Delivery
    email: str | None
    """The email given with the order (one identity factor)."""
    phone: str | None
    """The phone given with the order (one identity factor)."""
    created_at: datetime


class OrderStore(Protocol):
    """Orders with their status history. Order numbers are unique."""

    async def create_order(self, order: NewOrder, *, key: str, actor: str = "system") -> Order:
        """Record an order."""
        ...

    async def get_order(self, order_id: OrderId) -> Order:
        """Return an order (NotFound if none)."""
        ...

    async def order_by_number(self, number: str) -> Order | None:
        """Find an order by its customer-facing number."""
        ...

    async def set_order_status(
        self,
        order_id: OrderId,
        status: OrderStatus,
        *,
        key: str,
        actor: str = "system",
        note: str | None = None,
    ) -> Order:
        """Move an order on (Conflict if not allowed); the change joins its history."""
        ...

    async def update_delivery(
        self, order_id: OrderId, delivery: Delivery, *, key: str, actor: str = "system"
    ) -> Order:
        """Replace the delivery details (tracking number, date)."""
        ...

    async def list_orders(self, *, contact_id: ContactId | None = None) -> list[Order]:
        """Orders, newest first."""
        ...
