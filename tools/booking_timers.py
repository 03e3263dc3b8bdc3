"""The timers a booking sets: reminders before it (24 h and 2 h by default) and its deposit deadline.

Each reminder expires when the next one is due (or at the start): after downtime, a 24-hour
reminder found due an hour before the appointment is dropped, and the 2-hour one goes instead.
Reminders whose time has passed when the booking is made are not set at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tools.calendar import Booking
from tools.playbook.flows import FollowUps
from tools.timers import NewTimer

REMINDER = "booking_reminder"
DEPOSIT_DEADLINE = "deposit_deadline"


def booking_group(booking_id: str) -> str:
    """The timer group of a booking (cancelled together when it is moved or cancelled)."""
    return f"booking:{booking_id}"


def booking_timers(booking: Booking, follow_ups: FollowUps, now: datetime) -> list[tuple[str, NewTimer]]:
    """The (idempotency key, timer) pairs `booking` needs from `now` on."""
    group = booking_group(booking.id)
    timers: list[tuple[str, NewTimer]] = []
    hours = sorted(follow_ups.booking_reminders_hours_before, reverse=True)
    for index, before in enumerate(hours):
        due = booking.start - timedelta(hours=before)
        if due <= now:
            continue
        later = hours[index + 1] if index + 1 < len(hours) else 0
        timer = NewTimer(
            kind=REMINDER,
            due_at=due,
            expires_at=booking.start - timedelta(hours=later),
            data={"booking": booking.id, "hours": str(before)},
            group=group,
            subject=group,
            contact_id=booking.contact_id,
        )
        timers.append((f"{REMINDER}:{booking.id}:{before}", timer))
    if booking.deposit_minor and booking.deposit_due_at is not None:
        timer = NewTimer(
            kind=DEPOSIT_DEADLINE,
            due_at=booking.deposit_due_at,
            data={"booking": booking.id},
            group=group,
            subject=group,
            contact_id=booking.contact_id,
        )
        timers.append((f"{DEPOSIT_DEADLINE}:{booking.id}", timer))
    return timers
