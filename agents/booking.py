"""The booking coordinator: service → concrete free slots → required details → confirmation → booking.

Also reschedules and cancels existing bookings. Every offer is a few concrete
times from the real calendar; nothing is booked without an explicit "yes".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from agents._common import learn_contact_details, ordinal_pick, save_contact, service_name, yes_no
from agents.base import ApprovalRequest, Decision, Outcome, Turn
from agents.booking_choice import FIELD_LABELS, pick_offered, preference_window, spread, wants_other_times
from agents.booking_reminder import (
    EXPECTING,
    ReminderAnswer,
    alternative_buttons,
    read_answer,
    reminder_buttons,
)
from agents.understanding import ChoiceKind, Repair
from tools.calendar import HOLDING_STATUSES, Booking, Slot
from tools.errors import InvalidInput, SlotUnavailable
from tools.ids import BookingId
from tools.intents import Intent

UNSURE_RESCHEDULE = 0.55
"""Below this confidence a "reschedule" naming a service, with nothing booked, is read as a new booking."""


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


def deps_text(turn: Turn, template: str) -> str:
    """A template with no values, in the conversation language."""
    return turn.deps.replies.text(template, turn.language)


def encode(slot: Slot) -> str:
    """A slot as an offer token."""
    return f"{slot.start.isoformat()}|{slot.end.isoformat()}|{slot.staff_id}|{slot.resource_id or ''}"


def decode(token: str) -> Slot:
    """An offer token back to a slot."""
    start, end, staff, resource = token.split("|")
    return Slot(datetime.fromisoformat(start), datetime.fromisoformat(end), staff, resource or None)


class BookingCoordinator:
    """Books, reschedules and cancels appointments."""

    name = "booking"

    async def handle(self, turn: Turn) -> Outcome:
        """Advance the booking one step."""
        slots = dict(turn.slots)
        outcome = Outcome(slots=slots)
        learn_contact_details(turn, outcome)
        if "mode" not in slots:
            intent = turn.meaning.intent
            slots["mode"] = {Intent.BOOKING_RESCHEDULE: "reschedule", Intent.BOOKING_CANCEL: "cancel"}.get(
                intent, "new"
            )
        if turn.meaning.repair is Repair.CORRECT or (
            turn.meaning.entities.dates and turn.expecting in {"choice", "confirm"}
        ):
            slots.pop("slot", None)
        self._learn_service(turn, slots)
        self._learn_preference(turn, slots)
        if slots["mode"] == "reminder":
            return await self._reminder(turn, outcome)
        if turn.expecting == "confirm:new":
            choice = turn.meaning.entities.choice
            if choice is not None and choice.kind is ChoiceKind.NO:
                outcome.done = True
                return outcome.say(deps_text(turn, "thanks_bye"))
        if slots["mode"] == "new":
            return await self._new(turn, outcome)
        return await self._change(turn, outcome)

    def _learn_service(self, turn: Turn, slots: dict[str, str]) -> None:
        bookable = {s.id for s in turn.deps.playbook.services if s.bookable}
        matches = [m for m in turn.meaning.entities.catalog if m.id in bookable]
        if matches and (
            "service" not in slots or turn.meaning.repair is Repair.CORRECT or turn.expecting == "service"
        ):
            slots["service"] = matches[0].id
        elif "service" not in slots and turn.shared.get("service") in bookable:
            slots["service"] = turn.shared["service"]
        if turn.expecting == "service" and "service" not in slots:
            picked = ordinal_pick(
                turn.meaning.entities.choice, [o for o in turn.offered if o in bookable], turn.meaning.text
            )
            if picked is not None:
                slots["service"] = picked

    def _learn_preference(self, turn: Turn, slots: dict[str, str]) -> None:
        window = preference_window(turn.meaning.entities.dates, turn.deps.playbook.business.zone)
        if window is not None:
            slots.update(window)

    async def _new(self, turn: Turn, outcome: Outcome) -> Outcome:
        slots = outcome.slots
        deps = turn.deps
        if "service" not in slots:
            options = [s for s in deps.playbook.services if s.bookable][:4]
            names = [service_name(turn, s.id) for s in options]
            return outcome.say(
                deps.replies.text("booking_ask_service", turn.language, services=", ".join(names)), *names
            ).expect("service", tuple(s.id for s in options))
        if turn.expecting == "choice" and "slot" not in slots:
            picked = pick_offered(turn.meaning, turn.offered, deps.playbook.business.zone)
            if picked is not None:
                slots["slot"] = picked
            elif not turn.meaning.entities.dates:
                choice = turn.meaning.entities.choice
                declined = choice is not None and choice.kind is ChoiceKind.NO
                if declined or wants_other_times(turn.meaning.text):
                    slots.pop("from", None)
                    return await self._offer(turn, outcome, later=True)
        if "slot" not in slots:
            return await self._offer(turn, outcome)
        missing = await self._ask_missing_field(turn, outcome)
        if missing is not None:
            return missing
        if turn.expecting == "confirm":
            choice = turn.meaning.entities.choice
            if choice is not None and choice.kind is ChoiceKind.YES:
                return await self._book(turn, outcome)
            if choice is not None and choice.kind is ChoiceKind.NO:
                slots.pop("slot", None)
                return await self._offer(turn, outcome, later=True)
        return self._confirm(turn, outcome)

    async def _offer(self, turn: Turn, outcome: Outcome, *, later: bool = False) -> Outcome:
        deps = turn.deps
        slots = outcome.slots
        now = deps.clock.now()
        start = datetime.fromisoformat(slots["from"]) if "from" in slots else now
        end = datetime.fromisoformat(slots["until"]) if "until" in slots else start + timedelta(days=7)
        if later and turn.offered:
            start = max(start, decode(turn.offered[-1]).start + timedelta(minutes=1))
            end = max(end, start + timedelta(days=7))
        chosen = await self._find(turn, slots, start, end)
        name = service_name(turn, slots["service"])
        template = "booking_offer_slots"
        holiday = self._holiday(turn, start, end) if not chosen else None
        if holiday is not None:
            outcome.say(holiday)
        if not chosen:
            template = "booking_offer_slots" if holiday is not None else "booking_nearest"
            chosen = await self._find(turn, slots, end, end + timedelta(days=14))
            if not chosen:
                slots.pop("after", None)
                slots.pop("before", None)
                chosen = await self._find(
                    turn, slots, now, now + timedelta(days=deps.playbook.booking.horizon_days)
                )
        if not chosen:
            slots.pop("from", None)
            slots.pop("until", None)
            outcome.done = True
            return outcome.say(deps.replies.text("booking_no_slots", turn.language, service=name))
        labels = [deps.replies.when(s.start, turn.language) for s in chosen]
        text = deps.replies.text(template, turn.language, service=name, slots="; ".join(labels))
        return outcome.say(text, *labels).expect("choice", tuple(encode(s) for s in chosen))

    @staticmethod
    def _holiday(turn: Turn, start: datetime, end: datetime) -> str | None:
        """ "We're closed on 8 March (Women's Day)" when the asked-for day is a holiday."""
        deps = turn.deps
        zone = deps.playbook.business.zone
        first, last = start.astimezone(zone).date(), (end - timedelta(seconds=1)).astimezone(zone).date()
        for holiday in deps.playbook.hours.holidays:
            if first <= holiday.date <= last and (last - first).days < 2:
                day = deps.replies.when(datetime.combine(holiday.date, time(12), tzinfo=zone), turn.language)
                label = day.rsplit(",", 1)[0]
                name = holiday.name.get(turn.language) if holiday.name else ""
                return deps.replies.text("holiday_closed", turn.language, date=label, holiday=name)
        return None

    async def _find(self, turn: Turn, slots: dict[str, str], start: datetime, end: datetime) -> list[Slot]:
        """Up to the playbook's number of free slots in [start, end), within the preferred hours."""
        deps = turn.deps
        found = await deps.appointments.free_slots(slots["service"], start=start, end=end)
        after = time.fromisoformat(slots["after"]) if "after" in slots else None
        before = time.fromisoformat(slots["before"]) if "before" in slots else None
        zone = deps.playbook.business.zone
        fitting = [
            s
            for s in found
            if (after is None or s.start.astimezone(zone).time() >= after)
            and (before is None or s.start.astimezone(zone).time() < before)
        ]
        return spread(fitting, deps.playbook.booking.slots_to_offer, zone)

    async def _ask_missing_field(self, turn: Turn, outcome: Outcome) -> Outcome | None:
        deps = turn.deps
        service = deps.playbook.service(outcome.slots["service"])
        known = {**turn.shared, **outcome.shared}
        if turn.expecting and turn.expecting.startswith("field:"):
            field = turn.expecting.removeprefix("field:")
            if field not in {"name", "phone", "email"} and turn.meaning.text.strip():
                outcome.slots[f"f:{field}"] = turn.meaning.text.strip()[:300]
            if field == "name" and "name" not in known and turn.meaning.text.strip():
                outcome.shared["name"] = turn.meaning.text.strip()[:100].title()
                known["name"] = outcome.shared["name"]
            if field == "phone" and turn.meaning.entities.phone_text and not turn.meaning.entities.phone:
                return outcome.say(deps.replies.text("invalid_phone", turn.language)).expect("field:phone")
        for field in service.required_fields:
            if field in {"name", "phone", "email"} and known.get(field):
                continue
            if f"f:{field}" in outcome.slots:
                continue
            label = FIELD_LABELS[field]["ru" if turn.language == "ru" else "en"]
            question = deps.replies.text("booking_ask_field", turn.language, field=label)
            if turn.expecting and turn.expecting.startswith("field:"):
                question = f"{deps.replies.text('accepted', turn.language)} {question}"
            return outcome.say(question).expect(f"field:{field}")
        return None

    def _confirm(self, turn: Turn, outcome: Outcome) -> Outcome:
        deps = turn.deps
        slot = decode(outcome.slots["slot"])
        service = deps.playbook.service(outcome.slots["service"])
        playbook = deps.playbook
        price = deps.replies.price_range(
            playbook.minor_units(service.price.low), playbook.minor_units(service.price.high), turn.language
        )
        staff = playbook.staff_member(slot.staff_id).name.get(_lang(turn))
        text = deps.replies.text(
            "booking_confirm",
            turn.language,
            service=service_name(turn, service.id),
            time=deps.replies.when(slot.start, turn.language),
            staff=staff,
            price=price,
        )
        return outcome.say(text, *yes_no(turn.language)).expect("confirm")

    def _fields(self, turn: Turn, outcome: Outcome) -> dict[str, str]:
        known = {**turn.shared, **outcome.shared}
        fields = {k: v for k, v in known.items() if k in {"name", "phone", "email"}}
        fields.update({k.removeprefix("f:"): v for k, v in outcome.slots.items() if k.startswith("f:")})
        return fields

    async def _book(self, turn: Turn, outcome: Outcome) -> Outcome:
        deps = turn.deps
        slot = decode(outcome.slots["slot"])
        service = deps.playbook.service(outcome.slots["service"])
        await save_contact(turn, {**turn.shared, **outcome.shared})
        try:
            result = await deps.appointments.book(
                turn.contact_id,
                service.id,
                slot,
                fields=self._fields(turn, outcome),
                key=turn.key("book"),
                actor="agent:booking",
            )
        except SlotUnavailable:
            outcome.slots.pop("slot", None)
            outcome.say(deps.replies.text("slot_taken", turn.language))
            return await self._offer(turn, outcome)
        except InvalidInput:
            return await self._ask_missing_field(turn, outcome) or self._confirm(turn, outcome)
        booking = result.booking
        outcome.actions.append(f"booking {booking.id} created ({booking.status.value})")
        outcome.done = True
        outcome.slots = {}
        playbook = deps.playbook
        staff = playbook.staff_member(slot.staff_id).name.get(_lang(turn))
        visit_address = booking.fields.get("address")
        office = playbook.business.address.get(_lang(turn)) if playbook.business.address else ""
        address = visit_address or office
        outcome.say(
            deps.replies.text(
                "booking_confirmed",
                turn.language,
                service=service_name(turn, service.id),
                time=deps.replies.when(slot.start, turn.language),
                staff=staff,
                address=address,
            )
        )
        if result.deposit_invoice is not None:
            invoice = result.deposit_invoice
            hours = max(1, int(((invoice.due_at or slot.start) - deps.clock.now()).total_seconds() // 3600))
            outcome.actions.append(f"deposit invoice {invoice.id}")
            outcome.say(
                deps.replies.text(
                    "deposit_request",
                    turn.language,
                    amount=deps.replies.money(invoice.amount_minor, turn.language),
                    link=deps.payments.link_for(invoice),
                    hours=hours,
                )
            )
        policy = playbook.booking
        return outcome.say(
            deps.replies.text(
                "booking_rules",
                turn.language,
                notice_hours=policy.cancellation_notice_hours,
                grace_minutes=policy.lateness_grace_minutes,
            )
        )

    @staticmethod
    def _probably_new(turn: Turn, slots: dict[str, str]) -> bool:
        """An unsure "reschedule" that names a service, from someone with nothing booked, is a new booking.

        "муж на час нужен … в субботу" reads a little like moving a visit; with no visit to move, the
        customer wants one booked, not "You have no upcoming visits".
        """
        return (
            slots.get("mode") == "reschedule"
            and "service" in slots
            and turn.expecting is None
            and turn.meaning.confidence < UNSURE_RESCHEDULE
        )

    async def _upcoming(self, turn: Turn) -> list[Booking]:
        deps = turn.deps
        bookings = await deps.stores.calendar.list_bookings(
            contact_id=turn.contact_id,
            start=deps.clock.now(),
            statuses=HOLDING_STATUSES,
        )
        return [b for b in bookings if b.start > deps.clock.now()]

    async def _change(self, turn: Turn, outcome: Outcome) -> Outcome:
        deps = turn.deps
        slots = outcome.slots
        if "booking" not in slots:
            upcoming = await self._upcoming(turn)
            picked = (
                ordinal_pick(turn.meaning.entities.choice, turn.offered, turn.meaning.text)
                if turn.expecting == "which"
                else None
            )
            if picked is not None:
                slots["booking"] = picked
            elif len(upcoming) == 1:
                slots["booking"] = upcoming[0].id
            if "booking" not in slots:
                if not upcoming and self._probably_new(turn, slots):
                    slots["mode"] = "new"
                    return await self._new(turn, outcome)
                if not upcoming:
                    slots["mode"] = "new"
                    return outcome.say(
                        deps.replies.text("no_bookings", turn.language), *yes_no(turn.language)
                    ).expect("confirm:new")
                labels = [
                    f"{service_name(turn, b.service_id)}, {deps.replies.when(b.start, turn.language)}"
                    for b in upcoming[:5]
                ]
                return outcome.say(
                    deps.replies.text("booking_which", turn.language, bookings="; ".join(labels)), *labels
                ).expect("which", tuple(b.id for b in upcoming[:5]))
        booking = await deps.stores.calendar.get_booking(BookingId(slots["booking"]))
        slots["service"] = booking.service_id
        if slots["mode"] == "cancel":
            return await self._cancel(turn, outcome, booking)
        if turn.expecting == "choice" and "slot" not in slots:
            picked = pick_offered(turn.meaning, turn.offered, deps.playbook.business.zone)
            if picked is not None:
                slots["slot"] = picked
        if "slot" not in slots:
            return await self._offer(turn, outcome)
        try:
            moved = await deps.appointments.reschedule(
                booking.id, decode(slots["slot"]), key=turn.key("reschedule"), actor="agent:booking"
            )
        except SlotUnavailable:
            slots.pop("slot", None)
            outcome.say(deps.replies.text("slot_taken", turn.language))
            return await self._offer(turn, outcome)
        outcome.actions.append(f"booking {booking.id} moved to {moved.id}")
        outcome.done = True
        outcome.slots = {}
        return outcome.say(
            deps.replies.text(
                "reschedule_confirmed",
                turn.language,
                service=service_name(turn, moved.service_id),
                time=deps.replies.when(moved.start, turn.language),
            )
        )

    async def _cancel(self, turn: Turn, outcome: Outcome, booking: Booking) -> Outcome:
        deps = turn.deps
        when = deps.replies.when(booking.start, turn.language)
        name = service_name(turn, booking.service_id)
        choice = turn.meaning.entities.choice
        if turn.expecting == "confirm" and choice is not None and choice.kind is ChoiceKind.YES:
            await deps.appointments.cancel(
                booking.id, key=turn.key("cancel"), actor="agent:booking", reason="cancelled by the customer"
            )
            outcome.actions.append(f"booking {booking.id} cancelled")
            outcome.done = True
            outcome.slots = {}
            return outcome.say(deps.replies.text("cancel_confirmed", turn.language, service=name, time=when))
        if turn.expecting == "confirm" and choice is not None and choice.kind is ChoiceKind.NO:
            outcome.done = True
            outcome.slots = {}
            return outcome.say(deps.replies.text("flow_cancelled", turn.language))
        question = f"{name}, {when}. " + (
            "Отменить эту запись?" if turn.language == "ru" else "Cancel this booking?"
        )
        return outcome.say(question, *yes_no(turn.language)).expect("confirm")

    async def _reminder(self, turn: Turn, outcome: Outcome) -> Outcome:
        """The customer answered a reminder (or its follow-up): confirm, move or cancel the booking."""
        deps = turn.deps
        slots = outcome.slots
        booking = await deps.stores.calendar.get_booking(BookingId(slots["booking"]))
        when = deps.replies.when(booking.start, turn.language)
        name = service_name(turn, booking.service_id)
        if booking.status not in HOLDING_STATUSES or booking.start <= deps.clock.now():
            outcome.slots = {"mode": "new", "service": booking.service_id}
            text = deps.replies.text("reminder_booking_gone", turn.language, service=name, time=when)
            return outcome.say(text, *yes_no(turn.language)).expect("confirm:new")
        answer, picked = read_answer(turn)
        if answer is ReminderAnswer.CONFIRM:
            outcome.actions.append(f"booking {booking.id} confirmed by the customer")
            outcome.done = True
            outcome.slots = {}
            contact = await deps.stores.crm.get_contact(turn.contact_id)
            first_name = booking.fields.get("name") or contact.name or ""
            return outcome.say(
                deps.replies.text(
                    "reminder_confirmed", turn.language, service=name, time=when, name=first_name
                )
            )
        if answer is ReminderAnswer.UNCLEAR:
            labels = [deps.replies.when(decode(token).start, turn.language) for token in turn.offered]
            buttons = (
                alternative_buttons(turn.language, labels) if labels else reminder_buttons(turn.language)
            )
            text = deps.replies.text("reminder_ask", turn.language, service=name, time=when)
            return outcome.say(text, *buttons).expect(EXPECTING, turn.offered)
        slots["mode"] = "cancel" if answer is ReminderAnswer.CANCEL else "reschedule"
        if picked is not None:
            slots["slot"] = picked
        return await self._change(turn, outcome)

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Bookings do not ask for approval."""
        return Outcome(slots=dict(turn.slots))
