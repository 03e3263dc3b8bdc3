"""Booking reminders and the deposit deadline through durable timers, on SQLite and PostgreSQL, with a frozen clock.

The customer books in the studio (Moscow, quiet hours 21:00–09:00); the clock moves and the timer
worker runs: exactly which messages the customer gets, and when, is what these tests read.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest

from agents.proactive.flows import FLOWS
from graph import Inbound
from server.assembly import Frontdesk
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tools.booking_timers import REMINDER, booking_group
from tools.calendar import Booking, BookingStatus
from tools.clock import FrozenClock
from tools.conversations import Direction
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
CHAT = "telegram:100"


async def _book(studio: Frontdesk, *, day: int, hour: int, service: str = "manicure") -> Booking:
    """The customer writes once, then is booked for `service` on March `day` at `hour` (Moscow)."""
    await studio.runner.handle(
        Inbound("telegram", "100", "100", "здравствуйте", message_id="m1", language="ru")
    )
    contact = (await studio.stores.conversations.get_conversation(CHAT)).contact_id
    start = datetime(2027, 3, day, hour, 0, tzinfo=studio.playbook.business.zone)
    [slot, *_] = await studio.deps.appointments.free_slots(
        service, start=start, end=start + timedelta(hours=2)
    )
    assert slot.start == start
    fields = {"name": "Анна", "phone": "+79161234567", "comment": "—"}
    booked = await studio.deps.appointments.book(
        contact, service, slot, fields=fields, key=f"book:{day}:{hour}"
    )
    return booked.booking


async def _proactive(studio: Frontdesk) -> list[str]:
    """What the business wrote on its own so far (not answers to the customer)."""
    transcript = await studio.stores.conversations.transcript(CHAT)
    return [m.text for m in transcript if m.direction is Direction.OUT and m.reply_to is None]


async def _at(
    studio: Frontdesk, clock: FrozenClock, moment: datetime, worker: TimerWorker | None = None
) -> None:
    clock.set(moment)
    await (worker or TimerWorker(studio.deps, FLOWS, owner="w1")).run_once()


def _msk(studio: Frontdesk, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=studio.playbook.business.zone)


async def test_reminders_go_a_day_and_two_hours_before_and_are_queued_for_the_channel(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio, day=3, hour=15)
    timers = await studio.stores.timers.timers(group=booking_group(booking.id))
    assert sorted(t.due_at for t in timers) == [_msk(studio, 2, 15), _msk(studio, 3, 13)]

    await _at(studio, clock, _msk(studio, 2, 14, 59))
    assert await _proactive(studio) == []
    await _at(studio, clock, _msk(studio, 2, 15))
    [day_before] = await _proactive(studio)
    assert "завтра" in day_before and "15:00" in day_before and "Анна" in day_before
    await _at(studio, clock, _msk(studio, 3, 13))
    reminders = await _proactive(studio)
    assert len(reminders) == 3, "the day-before reminder, its follow-up (no answer), the 2-hour one"
    assert "в силе ли запись" in reminders[1] and "2 часа" in reminders[2]
    queued = [d for d in await studio.stores.inbox.deliveries() if d.conversation_id == CHAT]
    assert len(queued) >= 2, "each reminder is in the outbox for Telegram"
    assert {t.status for t in await studio.stores.timers.timers(group=booking_group(booking.id))} == {
        TimerStatus.DONE
    }


async def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    await _book(studio, day=3, hour=10)  # the 2-hour reminder is due at 08:00, in quiet hours
    await _at(studio, clock, _msk(studio, 2, 10))
    assert len(await _proactive(studio)) == 1
    await _at(studio, clock, _msk(studio, 3, 8))
    assert len(await _proactive(studio)) == 1, "not at 08:00"
    deferred = [t for t in await studio.stores.timers.timers(status=TimerStatus.PENDING)]
    assert {(t.due_at, t.outcome) for t in deferred} == {(_msk(studio, 3, 9), "quiet hours")}
    await _at(studio, clock, _msk(studio, 3, 9))
    reminders = await _proactive(studio)
    assert len(reminders) == 2 and "2 часа" in reminders[1], (
        "after the night the reminder goes, not the follow-up too"
    )


async def test_after_downtime_a_stale_reminder_is_dropped_and_the_next_goes_once(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio, day=3, hour=15)
    await _at(studio, clock, _msk(studio, 3, 14))  # down from before the day-before reminder until 14:00
    [reminder] = await _proactive(studio)
    assert "2 часа" in reminder, "one reminder, the one that still makes sense"
    by_hours = {
        t.data["hours"]: t for t in await studio.stores.timers.timers(group=booking_group(booking.id))
    }
    assert by_hours["24"].status is TimerStatus.DROPPED and "stale" in (by_hours["24"].outcome or "")


async def test_two_workers_fire_one_timer_once(studio: Frontdesk, clock: FrozenClock) -> None:
    await _book(studio, day=3, hour=15)
    clock.set(_msk(studio, 2, 15))
    workers = [TimerWorker(studio.deps, FLOWS, owner=f"w{n}") for n in range(4)]
    await asyncio.gather(*(worker.run_once() for worker in workers))
    assert len(await _proactive(studio)) == 1


async def test_no_reminder_to_a_customer_who_opted_out_or_a_cancelled_booking(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio, day=3, hour=15)
    await studio.deps.appointments.cancel(booking.id, key="cancel-1", reason="the customer cancelled")
    assert {t.status for t in await studio.stores.timers.timers(group=booking_group(booking.id))} == {
        TimerStatus.CANCELLED
    }
    other = await _book(studio, day=4, hour=15)
    await studio.stores.crm.set_opted_out(other.contact_id, True, key="opt-out")
    await _at(studio, clock, _msk(studio, 4, 13))
    assert await _proactive(studio) == []
    outcomes = {t.outcome for t in await studio.stores.timers.timers(group=booking_group(other.id))}
    assert any("opted out" in (o or "") for o in outcomes)


async def test_a_moved_booking_is_reminded_at_its_new_time(studio: Frontdesk, clock: FrozenClock) -> None:
    booking = await _book(studio, day=3, hour=15)
    start = _msk(studio, 5, 12)
    [slot, *_] = await studio.deps.appointments.free_slots(
        "manicure", start=start, end=start + timedelta(hours=2)
    )
    moved = await studio.deps.appointments.reschedule(booking.id, slot, key="move-1")
    old = await studio.stores.timers.timers(group=booking_group(booking.id))
    assert {t.status for t in old} == {TimerStatus.CANCELLED}
    new = await studio.stores.timers.timers(group=booking_group(moved.id))
    assert sorted(t.due_at for t in new if t.kind == REMINDER) == [_msk(studio, 4, 12), _msk(studio, 5, 10)]


async def test_an_unpaid_deposit_releases_the_slot_and_the_customer_is_told(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio, day=5, hour=12, service="coloring")
    assert booking.status is BookingStatus.AWAITING_DEPOSIT and booking.deposit_due_at is not None
    await _at(studio, clock, booking.deposit_due_at - timedelta(minutes=1))
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.AWAITING_DEPOSIT
    await _at(studio, clock, booking.deposit_due_at + timedelta(minutes=1))
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CANCELLED
    due = booking.deposit_due_at.astimezone(studio.playbook.business.zone)
    assert due.hour == 23, "booked at 23:40 with 24 h to pay: the deadline falls in quiet hours"
    assert await _proactive(studio) == [], "the slot is released at the deadline; the message waits"
    await _at(studio, clock, datetime.combine(due.date() + timedelta(days=1), time(9), due.tzinfo))
    [told] = await _proactive(studio)
    assert "Предоплата" in told and "освободилось" in told
    [deadline] = [
        t for t in await studio.stores.timers.timers(group=booking_group(booking.id)) if t.kind != REMINDER
    ]
    assert deadline.status is TimerStatus.DONE
