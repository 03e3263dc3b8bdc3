"""Booking reminders before the appointment, and the deposit deadline that releases an unpaid slot."""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.booking import encode
from agents.booking_reminder import EXPECTING, alternative_buttons, reminder_buttons
from agents.context import RunDeps
from agents.proactive.fire import Proposal, TemplateUse
from agents.proactive.rules import Drop
from tools.booking_timers import unconfirmed_timer
from tools.calendar import Booking, BookingStatus, Slot
from tools.conversations import DialoguePrompt, NewReply, Owner
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
    local = booking.start.astimezone(deps.playbook.business.zone)
    tomorrow = local.date() == (deps.clock.now().astimezone(local.tzinfo) + timedelta(days=1)).date()
    text = deps.replies.text(
        "reminder_24h" if hours >= 12 else "reminder_2h",
        language,
        service=service.name.get(language),  # type: ignore[arg-type]
        time=f"{local:%H:%M}" if tomorrow or hours < 12 else deps.replies.when(booking.start, language),
        address=booking.fields.get("address") or (office.get(language) if office else ""),  # type: ignore[arg-type]
        name=booking.fields.get("name") or contact.name or "",
    )
    reply = NewReply(
        text,
        reminder_buttons(language),
        agent="booking",
        intent="booking_reminder",
        actions=(f"reminder for {booking.id}",),
    )
    follow_up = unconfirmed_timer(
        booking,
        deps.playbook.follow_ups,
        now=deps.clock.now(),
        min_notice=timedelta(minutes=deps.playbook.booking.min_notice_minutes),
    )
    return Proposal(
        conversation_id,
        booking.contact_id,
        reply,
        prompt=_answer_to(booking),
        then=(follow_up,) if follow_up is not None else (),
        template=_reminder_template(deps, booking, contact.name, language),
    )


def _reminder_template(deps: RunDeps, booking: Booking, name: str | None, language: str) -> TemplateUse:
    """The approved ``reminder`` template's values: outside WhatsApp's 24-hour window it carries the message."""
    office = deps.playbook.business.address
    return TemplateUse(
        "reminder",
        {
            "name": booking.fields.get("name") or name or "",
            "service": deps.playbook.service(booking.service_id).name.get(language) or "",
            "time": deps.replies.when(booking.start, language),
            "address": booking.fields.get("address") or (office.get(language) if office else "") or "",
        },
    )


def _answer_to(booking: Booking, offered: tuple[str, ...] = ()) -> DialoguePrompt:
    """The customer's next message answers the reminder about `booking`."""
    slots = {"mode": "reminder", "booking": booking.id, "service": booking.service_id}
    return DialoguePrompt(agent="booking", expecting=EXPECTING, slots=slots, offered=offered)


async def booking_unconfirmed(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``reminder_unconfirmed``: a reminder went unanswered — still coming, or one of two other times?"""
    booking = await deps.stores.calendar.get_booking(BookingId(timer.data["booking"]))
    if booking.status not in LIVE:
        return Drop(f"the booking is {booking.status.value}")
    now = deps.clock.now()
    if now >= booking.start:
        return Drop("the appointment has begun")
    where = await _conversation_of(deps, booking)
    if isinstance(where, Drop):
        return where
    conversation_id, language = where
    conversation = await deps.stores.conversations.get_conversation(conversation_id)
    if conversation.owner is Owner.STAFF:
        return Drop("staff own the conversation")
    alternatives = await _two_other_times(deps, booking, now)
    labels = [deps.replies.when(slot.start, language) for slot in alternatives]
    contact = await deps.stores.crm.get_contact(booking.contact_id)
    text = deps.replies.text(
        "reminder_unconfirmed",
        language,
        name=booking.fields.get("name") or contact.name or "",
        service=deps.playbook.service(booking.service_id).name.get(language),  # type: ignore[arg-type]
        time=deps.replies.when(booking.start, language),
        slots=(" или " if language == "ru" else " or ").join(labels),
    )
    buttons = alternative_buttons(language, labels) if labels else reminder_buttons(language)
    reply = NewReply(
        text,
        buttons,
        agent="booking",
        intent="reminder_unconfirmed",
        actions=(f"no answer to the reminder for {booking.id}",),
    )
    offered = tuple(encode(slot) for slot in alternatives)
    return Proposal(
        conversation_id,
        booking.contact_id,
        reply,
        prompt=_answer_to(booking, offered),
        template=_reminder_template(deps, booking, contact.name, language),
    )


async def _two_other_times(deps: RunDeps, booking: Booking, now: datetime) -> list[Slot]:
    """Two free times for the same service, as near the booked one as the calendar allows (never sooner than the notice)."""
    earliest = now + timedelta(minutes=deps.playbook.booking.min_notice_minutes)
    start = max(earliest, booking.start - timedelta(days=1))
    found = await deps.appointments.free_slots(
        booking.service_id, start=start, end=booking.start + timedelta(days=7)
    )
    others = [slot for slot in found if slot.start != booking.start]
    others.sort(key=lambda slot: (abs((slot.start - booking.start).total_seconds()), slot.start))
    picked: list[Slot] = []
    for slot in others:
        if all(abs(slot.start - chosen.start) >= timedelta(hours=2) for chosen in picked):
            picked.append(slot)
        if len(picked) == 2:
            break
    return sorted(picked, key=lambda slot: slot.start)


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
    contact = await deps.stores.crm.get_contact(booking.contact_id)
    template = _reminder_template(deps, booking, contact.name, language)
    return Proposal(
        conversation_id, booking.contact_id, reply, template=TemplateUse("follow_up", template.values)
    )
