"""The calendar contract, on SQLite and PostgreSQL: no double booking, ever."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import DATABASES
from tools.calendar import BookingStatus, NewBooking, Slot
from tools.clock import FrozenClock
from tools.errors import Conflict, SlotUnavailable
from tools.ids import ContactId
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)

TEN = datetime(2027, 3, 2, 7, 0, tzinfo=UTC)


def _slot(
    start: datetime = TEN, minutes: int = 60, staff: str = "anna", resource: str | None = "chair-1"
) -> Slot:
    return Slot(start=start, end=start + timedelta(minutes=minutes), staff_id=staff, resource_id=resource)


async def _contact(stores: BusinessStores, name: str = "c") -> ContactId:
    return (await stores.crm.contact_for_identity("webchat", name, key=f"contact-{name}")).id


async def test_a_booking_holds_its_time_and_a_second_one_on_it_is_refused(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    booking = await stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="b1")
    assert booking.status is BookingStatus.CONFIRMED
    with pytest.raises(SlotUnavailable):
        await stores.calendar.book(
            NewBooking(contact, "haircut", _slot(TEN + timedelta(minutes=30), resource=None)), key="b2"
        )
    with pytest.raises(SlotUnavailable):
        await stores.calendar.book(
            NewBooking(contact, "haircut", _slot(TEN + timedelta(minutes=45), staff="boris")), key="b3"
        )


async def test_buffers_keep_the_next_booking_away(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    await stores.calendar.book(NewBooking(contact, "haircut", _slot(), buffer_after_minutes=15), key="b1")
    with pytest.raises(SlotUnavailable):
        await stores.calendar.book(
            NewBooking(contact, "haircut", _slot(TEN + timedelta(minutes=60))), key="b2"
        )
    later = await stores.calendar.book(
        NewBooking(contact, "haircut", _slot(TEN + timedelta(minutes=75))), key="b3"
    )
    assert later.start == TEN + timedelta(minutes=75)


async def test_adjacent_bookings_fit(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    await stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="b1")
    next_one = await stores.calendar.book(
        NewBooking(contact, "haircut", _slot(TEN + timedelta(hours=1))), key="b2"
    )
    assert next_one.status is BookingStatus.CONFIRMED


async def test_a_deposit_booking_waits_and_paying_confirms_it(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    booking = await stores.calendar.book(
        NewBooking(contact, "coloring", _slot(minutes=120), deposit_minor=150000, deposit_due_at=TEN),
        key="b1",
    )
    assert booking.status is BookingStatus.AWAITING_DEPOSIT
    invoice = await stores.billing.invoice_deposit(
        booking.id,
        contact_id=booking.contact_id,
        amount_minor=150000,
        currency="RUB",
        description="Deposit",
        due_at=TEN,
        key="d1",
    )
    await stores.billing.record_payment(
        invoice.id, amount_minor=150000, provider="builtin", provider_reference="p1", key="pay1"
    )
    assert (await stores.calendar.get_booking(booking.id)).status is BookingStatus.CONFIRMED


async def test_cancelling_frees_the_time(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    booking = await stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="b1")
    cancelled = await stores.calendar.set_status(booking.id, BookingStatus.CANCELLED, key="x1", reason="ill")
    assert cancelled.status is BookingStatus.CANCELLED
    again = await stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="b2")
    assert again.status is BookingStatus.CONFIRMED
    with pytest.raises(Conflict, match="cancelled"):
        await stores.calendar.set_status(booking.id, BookingStatus.COMPLETED, key="x2")


async def test_rescheduling_moves_the_hold_and_keeps_history(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    booking = await stores.calendar.book(
        NewBooking(contact, "haircut", _slot(), fields={"name": "Ivan"}), key="b1"
    )
    moved = await stores.calendar.reschedule(booking.id, _slot(TEN + timedelta(minutes=30)), key="r1")
    assert moved.rescheduled_from == booking.id
    assert moved.fields == {"name": "Ivan"}
    assert (await stores.calendar.get_booking(booking.id)).status is BookingStatus.RESCHEDULED
    free_again = await stores.calendar.book(
        NewBooking(contact, "haircut", _slot(TEN - timedelta(minutes=30), minutes=60)), key="b2"
    )
    assert free_again.end == TEN + timedelta(minutes=30)
    with pytest.raises(SlotUnavailable):
        await stores.calendar.book(
            NewBooking(contact, "haircut", _slot(TEN + timedelta(minutes=60))), key="b3"
        )


async def test_rescheduling_onto_a_taken_slot_leaves_everything_as_it_was(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    first = await stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="b1")
    await stores.calendar.book(NewBooking(contact, "haircut", _slot(TEN + timedelta(hours=2))), key="b2")
    with pytest.raises(SlotUnavailable):
        await stores.calendar.reschedule(first.id, _slot(TEN + timedelta(hours=2)), key="r1")
    assert (await stores.calendar.get_booking(first.id)).status is BookingStatus.CONFIRMED


async def test_busy_reports_held_time_per_holder(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    await stores.calendar.book(NewBooking(contact, "haircut", _slot(), buffer_after_minutes=10), key="b1")
    busy = await stores.calendar.busy(
        frozenset({"staff:anna", "resource:chair-1", "staff:boris"}),
        TEN - timedelta(hours=1),
        TEN + timedelta(hours=3),
    )
    assert sorted((b.holder, b.start, b.end) for b in busy) == [
        ("resource:chair-1", TEN, TEN + timedelta(minutes=70)),
        ("staff:anna", TEN, TEN + timedelta(minutes=70)),
    ]


async def test_listing_filters_by_contact_staff_time_and_status(stores: BusinessStores) -> None:
    ivan, olga = await _contact(stores, "ivan"), await _contact(stores, "olga")
    a = await stores.calendar.book(NewBooking(ivan, "haircut", _slot()), key="b1")
    b = await stores.calendar.book(NewBooking(olga, "haircut", _slot(staff="boris", resource=None)), key="b2")
    assert [x.id for x in await stores.calendar.list_bookings(contact_id=ivan)] == [a.id]
    assert [x.id for x in await stores.calendar.list_bookings(staff_id="boris")] == [b.id]
    assert await stores.calendar.list_bookings(start=TEN + timedelta(hours=2)) == []
    await stores.calendar.set_status(a.id, BookingStatus.CANCELLED, key="x")
    held = await stores.calendar.list_bookings(statuses=frozenset({BookingStatus.CONFIRMED}))
    assert [x.id for x in held] == [b.id]


async def test_twenty_concurrent_attempts_on_one_slot_make_exactly_one_booking(
    stores: BusinessStores,
) -> None:
    contacts = [await _contact(stores, f"c{i}") for i in range(20)]

    async def attempt(index: int) -> str:
        try:
            booking = await stores.calendar.book(
                NewBooking(contacts[index], "haircut", _slot(TEN + timedelta(minutes=5 * (index % 3)))),
                key=f"attempt-{index}",
            )
        except SlotUnavailable:
            return "refused"
        return booking.id

    results = await asyncio.gather(*(attempt(i) for i in range(20)))
    made = [r for r in results if r != "refused"]
    assert len(made) == 1
    assert len(await stores.calendar.list_bookings(staff_id="anna")) == 1


async def test_concurrent_retries_of_one_request_return_the_same_booking(stores: BusinessStores) -> None:
    contact = await _contact(stores)
    results = await asyncio.gather(
        *(stores.calendar.book(NewBooking(contact, "haircut", _slot()), key="same-key") for _ in range(10))
    )
    assert len({booking.id for booking in results}) == 1


async def test_twenty_separate_processes_worth_of_connections_still_make_one_booking(
    stores: BusinessStores, database_url: str, clock: FrozenClock
) -> None:
    from tools.sql import open_stores

    contacts = [await _contact(stores, f"p{i}") for i in range(20)]
    separate = [await open_stores(database_url, clock=clock, migrate=False) for _ in range(20)]

    async def attempt(index: int) -> bool:
        try:
            await separate[index].calendar.book(
                NewBooking(contacts[index], "haircut", _slot()), key=f"sep-{index}"
            )
        except SlotUnavailable:
            return False
        return True

    try:
        outcomes = await asyncio.gather(*(attempt(i) for i in range(20)))
    finally:
        for opened in separate:
            await opened.close()
    assert outcomes.count(True) == 1
