"""The timers a booking sets: reminders before it (24 h and 2 h by default) and its deposit deadline.

Each reminder expires when the next one is due (or at the start): after downtime, a 24-hour
reminder found due an hour before the appointment is dropped, and the 2-hour one goes instead.
Reminders whose time has passed when the booking is made are not set at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tools.calendar import Booking
from tools.followup_timers import followup_group
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


UNCONFIRMED = "booking_unconfirmed"


def unconfirmed_timer(
    booking: Booking, follow_ups: FollowUps, *, now: datetime, min_notice: timedelta
) -> tuple[str, NewTimer] | None:
    """One follow-up `unconfirmed_followup_hours` after a reminder the customer has not answered.

    It belongs to the customer's follow-ups (any message from them cancels it: they are in
    touch). It is not set when it would come too close to the appointment to move it, and it
    expires when the next reminder is due (after downtime the reminder goes, not both).
    """
    due = now + timedelta(hours=follow_ups.unconfirmed_followup_hours)
    latest = booking.start - max(min_notice, timedelta(hours=1))
    later_reminders = [booking.start - timedelta(hours=h) for h in follow_ups.booking_reminders_hours_before]
    latest = min([latest, *(at for at in later_reminders if at > now)])
    if due >= latest:
        return None
    timer = NewTimer(
        kind=UNCONFIRMED,
        due_at=due,
        expires_at=latest,
        data={"booking": booking.id},
        group=followup_group(booking.contact_id),
        subject=booking_group(booking.id),
        contact_id=booking.contact_id,
    )
    return f"{UNCONFIRMED}:{booking.id}", timer
