"""The bookings calendar: one row per staff member, one column per day (a day, or a week from Monday)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server.console.people import People
from server.pages import DAY_NAMES
from tools.calendar import BookingStatus
from tools.playbook import Playbook
from tools.sql import BusinessStores

SHOWN = frozenset(
    {BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
)
"""Rescheduled bookings are history: their successor shows the new time."""


@dataclass(frozen=True)
class CalendarEntry:
    """A booking in a calendar cell."""

    id: str
    time: str
    service: str
    customer: str
    link: str | None
    status: str


@dataclass(frozen=True)
class CalendarRow:
    """One staff member's bookings, a list per day."""

    staff_id: str
    staff_name: str
    days: tuple[tuple[CalendarEntry, ...], ...]


@dataclass(frozen=True)
class CalendarPage:
    """The days shown, the rows, and the neighbouring periods."""

    view: str
    days: tuple[date, ...]
    labels: tuple[str, ...]
    """Each day as the header shows it ("Mon 01.03" / "Пн 01.03")."""
    rows: tuple[CalendarRow, ...]
    previous: date
    next: date


def period(view: str, anchor: date) -> tuple[date, ...]:
    """The days of a ``day`` or ``week`` view (weeks start on Monday)."""
    if view == "day":
        return (anchor,)
    monday = anchor - timedelta(days=anchor.weekday())
    return tuple(monday + timedelta(days=offset) for offset in range(7))


async def calendar_page(
    stores: BusinessStores, playbook: Playbook, language: str, *, view: str, anchor: date, staff: str | None
) -> CalendarPage:
    """The bookings of `view` around `anchor`, per staff member (one when `staff` is given)."""
    zone = playbook.business.zone
    days = period(view, anchor)
    start = datetime.combine(days[0], time.min, zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, zone)
    bookings = await stores.calendar.list_bookings(
        start=start, end=end, staff_id=staff or None, statuses=SHOWN
    )
    people = People(stores)
    members = [m for m in playbook.staff if not staff or m.id == staff]
    cells: dict[tuple[str, date], list[CalendarEntry]] = {}
    for booking in bookings:
        local = booking.start.astimezone(zone)
        person = await people.of(booking.contact_id)
        try:
            service = playbook.service(booking.service_id).name.get(language)  # type: ignore[arg-type]
        except KeyError:
            service = booking.service_id
        entry = CalendarEntry(
            id=booking.id,
            time=f"{local:%H:%M}–{booking.end.astimezone(zone):%H:%M}",
            service=service,
            customer=person.name,
            link=person.link,
            status=booking.status.value,
        )
        cells.setdefault((booking.staff_id, local.date()), []).append(entry)
    rows = tuple(
        CalendarRow(
            staff_id=member.id,
            staff_name=member.name.get(language),  # type: ignore[arg-type]
            days=tuple(tuple(sorted(cells.get((member.id, day), []), key=lambda e: e.time)) for day in days),
        )
        for member in members
    )
    step = timedelta(days=1 if view == "day" else 7)
    names = DAY_NAMES.get(language, DAY_NAMES["en"])
    labels = tuple(f"{names[day.weekday()]} {day:%d.%m}" for day in days)
    return CalendarPage(view, days, labels, rows, days[0] - step, days[0] + step)
