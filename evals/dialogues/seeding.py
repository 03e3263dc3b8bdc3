"""Seed a dialogue's ``setup:`` into fresh stores: contacts, orders, bookings and busy time.

Seeding writes through the real stores (so every invariant holds) but not through
the recording proxies: setup is not something the agents did.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.dialogues.model import SeedBooking, SeedContact, SeedOrder, Setup
from tools.appointments import deposit_minor
from tools.calendar import BookingStatus, NewBooking, Slot
from tools.crm import ContactChanges
from tools.errors import SlotUnavailable
from tools.ids import ContactId
from tools.orders import ORDER_TRANSITIONS, Delivery, NewOrder, OrderItem, OrderStatus
from tools.playbook import Playbook
from tools.sql import BusinessStores

_KEY = "eval-setup"


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as an aware datetime; a naive one is read in `zone` (the business's time zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


async def seed(stores: BusinessStores, setup: Setup, playbook: Playbook) -> frozenset[str]:
    """Create everything in `setup`; return the ids of placeholder contacts (to leave out of records)."""
    contacts = {contact.ref: await _contact(stores, contact) for contact in setup.contacts}
    for index, order in enumerate(setup.orders):
        await _order(stores, order, contacts[order.contact], playbook, f"{_KEY}:order:{index}")
    for index, booking in enumerate(setup.bookings):
        assert booking.contact is not None
        await _booking(stores, booking, contacts[booking.contact], playbook, f"{_KEY}:booking:{index}")
    if not setup.busy:
        return frozenset()
    holder = await stores.crm.contact_for_identity("eval", "busy", key=f"{_KEY}:busy-contact")
    for index, busy in enumerate(setup.busy):
        await _booking(stores, busy, holder.id, playbook, f"{_KEY}:busy:{index}")
    return frozenset({holder.id})


async def _contact(stores: BusinessStores, seed: SeedContact) -> ContactId:
    key = f"{_KEY}:contact:{seed.ref}"
    contact = await stores.crm.contact_for_identity(
        seed.channel, seed.external_id, key=key, display_name=seed.name
    )
    changes = ContactChanges(
        name=seed.name,
        phone=seed.phone,
        email=seed.email,
        phone_verified=seed.phone_verified or None,
        email_verified=seed.email_verified or None,
        language=seed.language,
    )
    contact = await stores.crm.update_contact(contact.id, changes, key=f"{key}:details")
    if seed.tags:
        contact = await stores.crm.set_tags(contact.id, seed.tags, key=f"{key}:tags")
    if seed.opted_out:
        contact = await stores.crm.set_opted_out(contact.id, True, key=f"{key}:opted-out")
    return contact.id


def _status_path(target: OrderStatus) -> list[OrderStatus]:
    """The shortest chain of allowed moves from ``placed`` to `target`."""
    routes: dict[OrderStatus, list[OrderStatus]] = {OrderStatus.PLACED: []}
    queue = deque([OrderStatus.PLACED])
    while queue:
        status = queue.popleft()
        for following in sorted(ORDER_TRANSITIONS[status]):
            if following not in routes:
                routes[following] = [*routes[status], following]
                queue.append(following)
    return routes[target]


async def _order(
    stores: BusinessStores, seed: SeedOrder, contact_id: ContactId, playbook: Playbook, key: str
) -> None:
    items = [
        OrderItem(item.product_id, item.name, item.quantity, playbook.minor_units(item.unit_price))
        for item in seed.items
    ]
    delivery = Delivery(
        method=seed.delivery.get("method") or "courier",
        address=seed.delivery.get("address"),
        tracking_number=seed.delivery.get("tracking_number"),
        carrier=seed.delivery.get("carrier"),
        expected_on=seed.delivery.get("expected_on"),
    )
    order = await stores.orders.create_order(
        NewOrder(
            seed.number,
            contact_id,
            items,
            playbook.business.currency,
            delivery,
            email=seed.email,
            phone=seed.phone,
        ),
        key=key,
    )
    for step, status in enumerate(_status_path(OrderStatus(seed.status))):
        await stores.orders.set_order_status(order.id, status, key=f"{key}:status:{step}")


async def _booking(
    stores: BusinessStores, seed: SeedBooking, contact_id: ContactId, playbook: Playbook, key: str
) -> None:
    service = playbook.service(seed.service)
    start = local(seed.start, playbook.business.zone)
    minutes = seed.minutes or service.duration_minutes or 60
    staff = seed.staff or service.staff[0]
    contact = await stores.crm.get_contact(contact_id)
    fields = {"name": contact.name or "", "phone": contact.phone or "", **seed.fields}
    deposit = deposit_minor(playbook, service) if seed.status == "awaiting_deposit" else 0
    resources: list[str | None] = [*service.resources] or [None]
    for resource in resources:
        slot = Slot(start, start + timedelta(minutes=minutes), staff, resource)
        booking = NewBooking(
            contact_id,
            service.id,
            slot,
            service.buffer_before_minutes,
            service.buffer_after_minutes,
            {k: v for k, v in fields.items() if v},
            deposit_minor=deposit,
            deposit_due_at=start if deposit else None,
        )
        try:
            booked = await stores.calendar.book(booking, key=key)
        except SlotUnavailable:
            continue
        break
    else:
        raise SlotUnavailable(f"setup: {service.id} with {staff} at {start.isoformat()} overlaps other setup")
    if deposit:
        await stores.billing.invoice_deposit(
            booked.id,
            contact_id=contact_id,
            amount_minor=deposit,
            currency=playbook.business.currency,
            description=f"Deposit: {service.id}",
            due_at=start,
            key=f"{key}:deposit",
        )
    elif seed.status != "confirmed":
        await stores.calendar.set_status(booked.id, BookingStatus(seed.status), key=f"{key}:status")
