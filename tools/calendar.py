"""The calendar: bookings of services with staff and resources, and their statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import BookingId, ContactId


class BookingStatus(StrEnum):
    """The life of a booking."""

    AWAITING_DEPOSIT = "awaiting_deposit"
    CONFIRMED = "confirmed"
    RESCHEDULED = "rescheduled"
    """Moved: this record is history, its successor holds the new time."""
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    COMPLETED = "completed"


HOLDING_STATUSES = frozenset({BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED})
"""Statuses in which a booking occupies its staff member and resource."""

ALLOWED_TRANSITIONS: Mapping[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.AWAITING_DEPOSIT: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.RESCHEDULED}
    ),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.CANCELLED, BookingStatus.RESCHEDULED, BookingStatus.NO_SHOW, BookingStatus.COMPLETED}
    ),
    BookingStatus.RESCHEDULED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
    BookingStatus.COMPLETED: frozenset(),
}


@dataclass(frozen=True)
class Slot:
    """A concrete time that can be booked: who, with what, when."""

    start: datetime
    end: datetime
    """When the service ends (buffers are not included)."""
    staff_id: str
    resource_id: str | None


@dataclass(frozen=True)
class Busy:
    """Time a staff member or resource is taken, buffers included."""

    holder: str
    """``staff:ID`` or ``resource:ID``."""
    start: datetime
    end: datetime


@dataclass(frozen=True)
class NewBooking:
    """What is needed to book."""

    contact_id: ContactId
    service_id: str
    slot: Slot
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    fields: Mapping[str, str] = field(default_factory=dict)
    """The required details collected (name, phone, address…)."""
    deposit_minor: int = 0
    """The deposit in minor units; more than zero means the booking awaits it."""
    deposit_due_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class Booking:
    """An appointment."""

    id: BookingId
    contact_id: ContactId
    service_id: str
    staff_id: str
    resource_id: str | None
    start: datetime
    end: datetime
    held_from: datetime
    """Start of the time it occupies (start minus the buffer before)."""
    held_until: datetime
    """End of the time it occupies (end plus the buffer after)."""
    status: BookingStatus
    fields: Mapping[str, str]
    deposit_minor: int
    deposit_due_at: datetime | None
    rescheduled_from: BookingId | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class CalendarStore(Protocol):
    """Bookings. The store makes double-booking a staff member or resource impossible,
    also under concurrent requests: a losing attempt raises `SlotUnavailable`."""

    async def book(self, booking: NewBooking, *, key: str, actor: str = "system") -> Booking:
        """Book a slot (SlotUnavailable if any part of it is taken)."""
        ...

    async def reschedule(
        self, booking_id: BookingId, slot: Slot, *, key: str, actor: str = "system"
    ) -> Booking:
        """Move a booking to `slot`: the old record becomes ``rescheduled``, a new one holds the time."""
        ...

    async def set_status(
        self,
        booking_id: BookingId,
        status: BookingStatus,
        *,
        key: str,
        actor: str = "system",
        reason: str | None = None,
    ) -> Booking:
        """Move a booking to `status` (Conflict if the transition is not allowed)."""
        ...

    async def get_booking(self, booking_id: BookingId) -> Booking:
        """Return a booking (NotFound if none)."""
        ...

    async def list_bookings(
        self,
        *,
        contact_id: ContactId | None = None,
        staff_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: frozenset[BookingStatus] | None = None,
    ) -> list[Booking]:
        """Bookings matching every filter given (overlapping [start, end)), by start time."""
        ...

    async def busy(self, holders: frozenset[str], start: datetime, end: datetime) -> list[Busy]:
        """Occupied time of the given holders overlapping [start, end)."""
        ...


CELL_MINUTES = 5
"""The grid on which occupied time is recorded; held intervals are rounded outward to it."""


def round_out(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Widen [start, end) to whole cells of `CELL_MINUTES` (UTC-aligned)."""
    cell = CELL_MINUTES * 60
    low = int(start.timestamp()) // cell * cell
    high = -(-int(end.timestamp()) // cell) * cell
    zone = start.tzinfo
    return datetime.fromtimestamp(low, zone), datetime.fromtimestamp(high, zone)


def cell_starts(start: datetime, end: datetime) -> list[datetime]:
    """The cells [start, end) occupies, as their start moments."""
    low, high = round_out(start, end)
    cell = CELL_MINUTES * 60
    return [
        datetime.fromtimestamp(moment, low.tzinfo)
        for moment in range(int(low.timestamp()), int(high.timestamp()), cell)
    ]
