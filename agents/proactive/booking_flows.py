"""Booking reminders before the appointment, and the deposit deadline that releases an unpaid slot."""

from __future__ import annotations

from agents.context import RunDeps
from agents.proactive.fire import Proposal
from agents.proactive.rules import Drop
from tools.calendar import Booking, BookingStatus
from tools.conversations import NewReply
from tools.errors import Conflict
from tools.ids import BookingId
from tools.timers import Timer

LIVE = frozenset({BookingStatus.CONFIRMED, BookingStatus.AWAITING_DEPOSIT})


async def _conversation_of(deps: RunDeps, booking: Booking) -> tuple[str, str] | Drop:
    """The customer's latest conversation and its language (Drop when they never wrote)."""
    conversation = await deps.stores.conversations.latest_for_contact(booking.contact_id)
    if conversation is None:
        return Drop("the customer has no conversation to write in")
    language = conversation.language or deps.playbook.business.default_language
    return conversation.id, language


async def booking_reminder(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``reminder_24h`` (a day or more ahead) or ``reminder_2h`` for a booking that still stands."""
    booking = await deps.stores.calendar.get_booking(BookingId(timer.data["booking"]))
    if booking.status not in LIVE:
        return Drop(f"the booking is {booking.status.value}")
    if deps.clock.now() >= booking.start:
        return Drop("the appointment has begun")
    where = await _conversation_of(deps, booking)
    if isinstance(where, Drop):
        return where
    conversation_id, language = where
    contact = await deps.stores.crm.get_contact(booking.contact_id)
    service = deps.playbook.service(booking.service_id)
    office = deps.playbook.business.address
    hours = int(timer.data.get("hours", "24"))
    text = deps.replies.text(
        "reminder_24h" if hours >= 12 else "reminder_2h",
        language,
        service=service.name.get(language),  # type: ignore[arg-type]
        time=deps.replies.when(booking.start, language),
        address=booking.fields.get("address") or (office.get(language) if office else ""),  # type: ignore[arg-type]
        name=booking.fields.get("name") or contact.name or "",
    )
    reply = NewReply(
        text, agent="booking", intent="booking_reminder", actions=(f"reminder for {booking.id}",)
    )
    return Proposal(conversation_id, booking.contact_id, reply)


async def deposit_deadline(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """The deposit was not paid in time: release the slot and tell the customer."""
    booking = await deps.stores.calendar.get_booking(BookingId(timer.data["booking"]))
    if booking.status not in (BookingStatus.AWAITING_DEPOSIT, BookingStatus.CANCELLED):
        return Drop(f"the booking is {booking.status.value}")
    try:  # the same key again (a deferred message fired later) replays the release, nothing more
        await deps.appointments.cancel(
            booking.id,
            key=f"timer:{timer.id}:release",
            actor="system:deposit-deadline",
            reason="deposit not paid in time",
        )
    except Conflict:
        return Drop("the booking was cancelled otherwise")
    where = await _conversation_of(deps, booking)
    if isinstance(where, Drop):
        return Drop("the slot was released; the customer has no conversation to tell")
    conversation_id, language = where
    service = deps.playbook.service(booking.service_id)
    text = deps.replies.text(
        "deposit_expired",
        language,
        service=service.name.get(language),  # type: ignore[arg-type]
        time=deps.replies.when(booking.start, language),
    )
    reply = NewReply(
        text, agent="booking", intent="deposit_expired", actions=(f"booking {booking.id} released",)
    )
    return Proposal(conversation_id, booking.contact_id, reply)
