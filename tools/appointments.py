"""Booking by the playbook's rules: free slots, required fields, deposits, reschedule, cancel.

The calendar store guarantees no double booking; this module adds what the
business decides: hours, notice, horizon, who performs what, what must be known
before confirming, and when a deposit holds the slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tools.billing import BillingStore, Invoice
from tools.booking_timers import REMINDER, booking_group, booking_timers
from tools.calendar import Booking, BookingStatus, CalendarStore, NewBooking, Slot
from tools.clock import Clock
from tools.errors import InvalidInput, SlotUnavailable
from tools.ids import BookingId, ContactId
from tools.playbook import Playbook
from tools.playbook.catalog import Service
from tools.reactivation_timers import after_demo
from tools.slots import SlotQuery, free_slots, holders_for
from tools.timers import TimerStore


@dataclass(frozen=True)
class BookingResult:
    """A booking and, when the service needs one, its deposit invoice."""

    booking: Booking
    deposit_invoice: Invoice | None


def deposit_minor(playbook: Playbook, service: Service) -> int:
    """The deposit a booking of `service` needs, in minor units (0 for none)."""
    rule = service.deposit or playbook.booking.default_deposit
    if rule is None:
        return 0
    if rule.kind == "fixed":
        return playbook.minor_units(rule.value)
    return playbook.minor_units(service.price.low * rule.value / Decimal(100))


def missing_fields(service: Service, fields: Mapping[str, str]) -> list[str]:
    """Required booking fields not yet given (empty values count as missing)."""
    return [name for name in service.required_fields if not fields.get(name, "").strip()]


class Appointments:
    """Free slots and bookings for one business."""

    def __init__(
        self,
        playbook: Playbook,
        calendar: CalendarStore,
        billing: BillingStore,
        clock: Clock,
        timers: TimerStore | None = None,
    ) -> None:
        self._playbook = playbook
        self._calendar = calendar
        self._billing = billing
        self._clock = clock
        self._timers = timers
        """Reminders and the deposit deadline are set here when given (None: no proactive messages)."""

    async def _set_timers(self, booking: Booking) -> None:
        if self._timers is None:
            return
        timers = booking_timers(booking, self._playbook.follow_ups, self._clock.now())
        if self._playbook.service(booking.service_id).demo:
            timers.append(after_demo(booking, self._playbook.follow_ups))
        for key, timer in timers:
            await self._timers.schedule(timer, key=key)

    async def _clear_timers(
        self, booking: Booking, reason: str, *, kinds: frozenset[str] | None = None
    ) -> None:
        if self._timers is not None:
            await self._timers.cancel(booking_group(booking.id), reason=reason, kinds=kinds)

    async def free_slots(
        self,
        service_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        staff_id: str | None = None,
        limit: int | None = None,
    ) -> list[Slot]:
        """Bookable slots of a service between `start` and `end` (default: the whole horizon)."""
        now = self._clock.now()
        service = self._playbook.service(service_id)
        start = start or now
        end = end or now + timedelta(days=self._playbook.booking.horizon_days)
        busy = await self._calendar.busy(holders_for(self._playbook, service), start - timedelta(days=1), end)
        query = SlotQuery(service_id=service_id, start=start, end=end, staff_id=staff_id, limit=limit)
        return free_slots(self._playbook, query, busy, now)

    def _check_bookable(self, service: Service, slot: Slot) -> None:
        """Refuse a slot outside the playbook's rules (hours, notice, staff, resource, length).

        Whether it is still free is the store's to decide, atomically, so that a
        retry of the same request gets its own booking back instead of a refusal.
        """
        query = SlotQuery(
            service_id=service.id,
            start=slot.start,
            end=slot.start + timedelta(minutes=1),
            staff_id=slot.staff_id,
        )
        fits = [s for s in free_slots(self._playbook, query, [], self._clock.now()) if s.start == slot.start]
        resource_ok = slot.resource_id in service.resources if service.resources else slot.resource_id is None
        if not fits or not resource_ok or fits[0].end != slot.end:
            raise SlotUnavailable("that time is not available; please choose one of the offered slots")

    async def book(
        self,
        contact_id: ContactId,
        service_id: str,
        slot: Slot,
        *,
        fields: Mapping[str, str],
        key: str,
        actor: str = "system",
    ) -> BookingResult:
        """Book `slot` if it is free by the playbook's rules, with a deposit invoice where required."""
        service = self._playbook.service(service_id)
        missing = missing_fields(service, fields)
        if missing:
            raise InvalidInput(f"still needed before booking: {', '.join(missing)}")
        self._check_bookable(service, slot)
        deposit = deposit_minor(self._playbook, service)
        due = None
        if deposit:
            rule = service.deposit or self._playbook.booking.default_deposit
            assert rule is not None
            due = min(self._clock.now() + timedelta(hours=rule.due_within_hours), slot.start)
        booking = await self._calendar.book(
            NewBooking(
                contact_id=contact_id,
                service_id=service.id,
                slot=slot,
                buffer_before_minutes=service.buffer_before_minutes,
                buffer_after_minutes=service.buffer_after_minutes,
                fields=dict(fields),
                deposit_minor=deposit,
                deposit_due_at=due,
            ),
            key=key,
            actor=actor,
        )
        invoice = None
        if booking.deposit_minor:
            invoice = await self._billing.invoice_deposit(
                booking.id,
                contact_id=booking.contact_id,
                amount_minor=booking.deposit_minor,
                currency=self._playbook.business.currency,
                description=f"Deposit: {service.name.get(self._playbook.business.default_language)}",
                due_at=booking.deposit_due_at,
                key=f"{key}:deposit",
                actor=actor,
            )
        await self._set_timers(booking)
        return BookingResult(booking, invoice)

    async def reschedule(
        self, booking_id: BookingId, slot: Slot, *, key: str, actor: str = "system"
    ) -> Booking:
        """Move a booking to another free slot."""
        booking = await self._calendar.get_booking(booking_id)
        self._check_bookable(self._playbook.service(booking.service_id), slot)
        moved = await self._calendar.reschedule(booking_id, slot, key=key, actor=actor)
        await self._clear_timers(booking, f"moved to {moved.id}")
        await self._set_timers(moved)
        return moved

    async def cancel(
        self, booking_id: BookingId, *, key: str, actor: str = "system", reason: str | None = None
    ) -> Booking:
        """Cancel a booking and free its time."""
        cancelled = await self._calendar.set_status(
            booking_id, BookingStatus.CANCELLED, key=key, actor=actor, reason=reason
        )
        # the deposit deadline stays: when it is what cancelled the booking, it still tells the customer
        await self._clear_timers(
            cancelled, f"booking cancelled: {reason or 'no reason given'}", kinds=frozenset({REMINDER})
        )
        return cancelled
