"""Identity before any order data: the order number plus the email or phone given with that order.

On channels where the sender's phone is verified (WhatsApp), that phone counts as the second factor.
A failed check never says whether the order number exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agents.base import Turn
from tools.orders import Order


class Check(StrEnum):
    """Where the identity check stands."""

    NEED_ORDER = "need_order"
    """No order number yet."""
    NEED_FACTOR = "need_factor"
    """An order number, but neither an email nor a phone to check it against."""
    FAILED = "failed"
    """The details given don't match (or the order doesn't exist: the customer is not told which)."""
    PASSED = "passed"


@dataclass(frozen=True)
class IdentityResult:
    """The outcome of one check."""

    check: Check
    order: Order | None = None


def _digits(value: str | None) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())[-10:]


def _same_phone(first: str | None, second: str | None) -> bool:
    a, b = _digits(first), _digits(second)
    return len(a) >= 7 and a == b


async def check_identity(turn: Turn, slots: dict[str, str]) -> IdentityResult:
    """Collect the order number and a second factor from this message and the slots, and check them.

    `slots` keeps ``order_number``, ``email`` and ``phone`` between messages; a failed check clears
    the factors so the next message is checked afresh.
    """
    entities = turn.meaning.entities
    if entities.order_id:
        slots["order_number"] = entities.order_id.upper()
    if entities.email:
        slots["email"] = entities.email
    if entities.phone:
        slots["phone"] = entities.phone
    number = slots.get("order_number")
    if not number:
        return IdentityResult(Check.NEED_ORDER)
    stores = turn.deps.stores
    contact = await stores.crm.get_contact(turn.contact_id)
    verified_phone = contact.phone if contact.phone_verified else None
    email, phone = slots.get("email"), slots.get("phone")
    if not email and not phone and not verified_phone:
        return IdentityResult(Check.NEED_FACTOR)
    order = await stores.orders.order_by_number(number)
    matched = order is not None and (
        (email is not None and order.email is not None and email.lower() == order.email.lower())
        or _same_phone(phone, order.phone)
        or _same_phone(verified_phone, order.phone)
    )
    if matched and order is not None:
        return IdentityResult(Check.PASSED, order)
    if not email and not phone:
        return IdentityResult(Check.NEED_FACTOR)
    for factor in ("email", "phone", "order_number"):
        slots.pop(factor, None)
    return IdentityResult(Check.FAILED)
