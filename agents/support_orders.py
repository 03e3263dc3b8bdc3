"""What support says about a verified order: its status with the next step, and whether it may be returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agents.base import Turn
from tools.orders import Order, OrderStatus

ORDER_STATUS_LABELS: dict[OrderStatus, dict[str, str]] = {
    OrderStatus.PLACED: {"en": "placed", "ru": "оформлен"},
    OrderStatus.PAID: {"en": "paid", "ru": "оплачен"},
    OrderStatus.PACKED: {"en": "packed", "ru": "собран"},
    OrderStatus.SHIPPED: {"en": "shipped", "ru": "отправлен"},
    OrderStatus.DELIVERED: {"en": "delivered", "ru": "доставлен"},
    OrderStatus.CANCELLED: {"en": "cancelled", "ru": "отменён"},
    OrderStatus.RETURN_REQUESTED: {"en": "return requested", "ru": "оформляется возврат"},
    OrderStatus.RETURNED: {"en": "returned", "ru": "возвращён"},
    OrderStatus.REFUNDED: {"en": "refunded", "ru": "деньги возвращены"},
}
CHANGEABLE = frozenset({OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.PACKED})
"""Statuses in which the team can still change an order (not yet handed to delivery)."""


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


def _day(turn: Turn, day: date) -> str:
    replies = turn.deps.replies
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=turn.deps.playbook.business.zone)
    return replies.when(moment, turn.language).rsplit(",", 1)[0]


def delivered_at(order: Order) -> datetime | None:
    """When the order was delivered, from its history."""
    return next((c.at for c in reversed(order.history) if c.status is OrderStatus.DELIVERED), None)


def status_text(turn: Turn, order: Order) -> str:
    """ "Order LM-04217: shipped. It's on its way: CDEK tracking number …" in the conversation language."""
    replies = turn.deps.replies
    delivery = order.delivery
    values: dict[str, str] = {}
    if order.status is OrderStatus.SHIPPED:
        expected = ""
        if delivery.expected_on:
            expected = replies.text(
                "order_expected", turn.language, date=_day(turn, date.fromisoformat(delivery.expected_on))
            )
        values = {
            "carrier": delivery.carrier or "",
            "tracking": delivery.tracking_number or "—",
            "expected": expected,
        }
    elif order.status is OrderStatus.DELIVERED:
        at = delivered_at(order)
        zone = turn.deps.playbook.business.zone
        values = {"date": _day(turn, at.astimezone(zone).date()) if at else ""}
    next_step = replies.text(f"order_next_{order.status.value}", turn.language, **values)
    return replies.text(
        "order_status",
        turn.language,
        order=order.number,
        status=ORDER_STATUS_LABELS[order.status][_lang(turn)],
        next_step=next_step,
    )


@dataclass(frozen=True)
class ReturnCheck:
    """Whether an order may be returned online, and if not, why (in the customer's language)."""

    allowed: bool
    reason: str = ""


def return_check(turn: Turn, order: Order) -> ReturnCheck:
    """The playbook's return rules applied to a verified order."""
    deps = turn.deps
    replies = deps.replies
    days = deps.playbook.support.return_days
    if order.status in {OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED}:
        return ReturnCheck(False, replies.text("return_reason_not_delivered", turn.language))
    if order.status is not OrderStatus.DELIVERED:
        return ReturnCheck(False, replies.text("return_reason_status", turn.language))
    at = delivered_at(order)
    if at is not None and deps.clock.now() - at > timedelta(days=days):
        return ReturnCheck(False, replies.text("return_reason_too_late", turn.language, days=days))
    blocked = []
    for item in order.items:
        try:
            product = deps.playbook.product(item.product_id)
        except KeyError:
            continue
        if not product.returnable:
            blocked.append(product.name.get(_lang(turn)))
    if blocked:
        return ReturnCheck(
            False, replies.text("return_reason_not_returnable", turn.language, items=", ".join(blocked))
        )
    return ReturnCheck(True)
