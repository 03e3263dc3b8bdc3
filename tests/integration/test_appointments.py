"""Booking by the playbook's rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import DATABASES
from tools.appointments import Appointments, deposit_minor
from tools.billing import InvoiceStatus
from tools.calendar import BookingStatus, Slot
from tools.clock import FrozenClock
from tools.errors import InvalidInput, SlotUnavailable
from tools.playbook import Playbook
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture
def desk(stores: BusinessStores, minimal_playbook: Playbook, clock: FrozenClock) -> Appointments:
    return Appointments(minimal_playbook, stores.calendar, stores.billing, clock)


async def test_a_booked_slot_disappears_from_the_offer(desk: Appointments, stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "1", key="c")
    first = (await desk.free_slots("haircut", staff_id="anna", limit=1))[0]
    result = await desk.book(
        contact.id, "haircut", first, fields={"name": "Ivan", "phone": "+79160000000"}, key="b"
    )
    assert result.booking.status is BookingStatus.CONFIRMED and result.deposit_invoice is None
    after = await desk.free_slots("haircut", start=first.start, end=first.start + timedelta(hours=3))
    assert all(s.start >= first.end + timedelta(minutes=15) for s in after)
    again = await desk.book(
        contact.id, "haircut", first, fields={"name": "Ivan", "phone": "+79160000000"}, key="b"
    )
    assert again.booking.id == result.booking.id
    with pytest.raises(SlotUnavailable):
        await desk.book(contact.id, "haircut", first, fields={"name": "Ivan", "phone": "+7916"}, key="b2")


async def test_missing_required_fields_are_named(desk: Appointments, stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "1", key="c")
    slot = (await desk.free_slots("coloring", limit=1))[0]
    with pytest.raises(InvalidInput, match="email"):
        await desk.book(contact.id, "coloring", slot, fields={"name": "Ivan", "phone": "+7916"}, key="b")


async def test_a_time_outside_the_rules_is_refused(
    desk: Appointments, stores: BusinessStores, clock: FrozenClock
) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "1", key="c")
    too_soon = Slot(
        clock.now() + timedelta(minutes=15), clock.now() + timedelta(minutes=75), "anna", "chair-1"
    )
    with pytest.raises(SlotUnavailable):
        await desk.book(contact.id, "haircut", too_soon, fields={"name": "I", "phone": "1"}, key="b")


async def test_a_deposit_service_books_awaiting_a_deposit_invoice(
    desk: Appointments, stores: BusinessStores, minimal_playbook: Playbook
) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "1", key="c")
    slot = (await desk.free_slots("coloring", limit=1))[0]
    result = await desk.book(
        contact.id,
        "coloring",
        slot,
        fields={"name": "Olga", "phone": "+7916", "email": "o@example.com"},
        key="b",
    )
    assert deposit_minor(minimal_playbook, minimal_playbook.service("coloring")) == 120000
    assert result.booking.status is BookingStatus.AWAITING_DEPOSIT
    assert result.deposit_invoice is not None and result.deposit_invoice.amount_minor == 120000
    assert result.deposit_invoice.status is InvoiceStatus.OPEN
    await stores.billing.record_payment(
        result.deposit_invoice.id, amount_minor=120000, provider="builtin", provider_reference="r", key="p"
    )
    assert (await stores.calendar.get_booking(result.booking.id)).status is BookingStatus.CONFIRMED


async def test_reschedule_and_cancel(desk: Appointments, stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "1", key="c")
    first, later = (await desk.free_slots("haircut", staff_id="boris"))[0:8:7]
    booked = await desk.book(contact.id, "haircut", first, fields={"name": "I", "phone": "1"}, key="b")
    moved = await desk.reschedule(booked.booking.id, later, key="r")
    assert moved.start == later.start
    cancelled = await desk.cancel(moved.id, key="x", reason="changed plans")
    assert cancelled.status is BookingStatus.CANCELLED
    assert first.start in [s.start for s in await desk.free_slots("haircut", staff_id="boris", limit=20)]
