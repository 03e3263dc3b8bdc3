"""The calendar on SQL: bookings, and `booking_cells` that make double-booking impossible."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.calendar import (
    ALLOWED_TRANSITIONS,
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Busy,
    NewBooking,
    Slot,
    cell_starts,
    round_out,
)
from tools.errors import Conflict, NotFound, SlotUnavailable
from tools.ids import BookingId, ContactId, new_id
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import booking_cells, bookings, invoices


def _booking(row: Row[Any]) -> Booking:
    return Booking(
        id=BookingId(row.id),
        contact_id=ContactId(row.contact_id),
        service_id=row.service_id,
        staff_id=row.staff_id,
        resource_id=row.resource_id,
        start=row.start_at,
        end=row.end_at,
        held_from=row.held_from,
        held_until=row.held_until,
        status=BookingStatus(row.status),
        fields=dict(row.fields),
        deposit_minor=row.deposit_minor,
        deposit_due_at=row.deposit_due_at,
        rescheduled_from=BookingId(row.rescheduled_from) if row.rescheduled_from else None,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _holders(staff_id: str, resource_id: str | None) -> list[str]:
    return [f"staff:{staff_id}"] + ([f"resource:{resource_id}"] if resource_id else [])


async def _slot_taken(error: IntegrityError) -> Booking:
    raise SlotUnavailable("that time has just been taken; please choose another slot") from error


class SqlCalendar(SqlBase):
    """`CalendarStore` on SQLite or PostgreSQL."""

    async def _hold(
        self,
        connection: AsyncConnection,
        booking_id: str,
        slot: Slot,
        held_from: datetime,
        held_until: datetime,
    ) -> None:
        rows = [
            {"holder": holder, "cell_start": cell, "booking_id": booking_id}
            for holder in _holders(slot.staff_id, slot.resource_id)
            for cell in cell_starts(held_from, held_until)
        ]
        await connection.execute(insert(booking_cells), rows)

    async def _insert(
        self,
        connection: AsyncConnection,
        booking: NewBooking,
        *,
        rescheduled_from: str | None,
        contact_id: str,
    ) -> str:
        slot = booking.slot
        if slot.end <= slot.start:
            raise SlotUnavailable("a booking must end after it starts")
        held_from, held_until = round_out(
            slot.start - timedelta(minutes=booking.buffer_before_minutes),
            slot.end + timedelta(minutes=booking.buffer_after_minutes),
        )
        now = self._clock.now()
        booking_id = new_id("bk")
        status = BookingStatus.AWAITING_DEPOSIT if booking.deposit_minor > 0 else BookingStatus.CONFIRMED
        await connection.execute(
            insert(bookings).values(
                id=booking_id,
                contact_id=contact_id,
                service_id=booking.service_id,
                staff_id=slot.staff_id,
                resource_id=slot.resource_id,
                start_at=slot.start,
                end_at=slot.end,
                held_from=held_from,
                held_until=held_until,
                status=status.value,
                fields=dict(booking.fields),
                deposit_minor=booking.deposit_minor,
                deposit_due_at=booking.deposit_due_at,
                rescheduled_from=rescheduled_from,
                note=booking.note,
                created_at=now,
                updated_at=now,
            )
        )
        await self._hold(connection, booking_id, slot, held_from, held_until)
        return booking_id

    async def book(self, booking: NewBooking, *, key: str, actor: str = "system") -> Booking:
        """Book a slot (SlotUnavailable if any part of it is taken)."""

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, booking.contact_id)
            booking_id = await self._insert(connection, booking, rescheduled_from=None, contact_id=contact.id)
            detail = f"{booking.service_id} at {booking.slot.start.isoformat()} with {booking.slot.staff_id}"
            await self.record(
                connection,
                Change("booking.created", "booking", booking_id, detail),
                actor=actor,
                key=key,
                contact_id=contact.id,
            )
            return booking_id

        return await self.write(
            key=key,
            operation="book",
            request=fingerprint(booking),
            work=work,
            load=lambda bid: self.get_booking(BookingId(bid)),
            on_conflict=_slot_taken,
        )

    async def reschedule(
        self, booking_id: BookingId, slot: Slot, *, key: str, actor: str = "system"
    ) -> Booking:
        """Move a booking to `slot`: the old record becomes ``rescheduled``, a new one holds the time."""

        async def work(connection: AsyncConnection) -> str:
            old = await self._row(connection, booking_id, lock=True)
            self._check_transition(old, BookingStatus.RESCHEDULED)
            await self._release(connection, old.id, BookingStatus.RESCHEDULED)
            moved = NewBooking(
                contact_id=ContactId(old.contact_id),
                service_id=old.service_id,
                slot=slot,
                buffer_before_minutes=int((old.start_at - old.held_from).total_seconds() // 60),
                buffer_after_minutes=int((old.held_until - old.end_at).total_seconds() // 60),
                fields=dict(old.fields),
                deposit_minor=old.deposit_minor,
                deposit_due_at=old.deposit_due_at,
                note=old.note,
            )
            new_id_ = await self._insert(
                connection, moved, rescheduled_from=old.id, contact_id=old.contact_id
            )
            if old.status == BookingStatus.CONFIRMED.value:
                await connection.execute(
                    update(bookings)
                    .where(bookings.c.id == new_id_)
                    .values(status=BookingStatus.CONFIRMED.value)
                )
            await connection.execute(
                update(invoices).where(invoices.c.booking_id == old.id).values(booking_id=new_id_)
            )
            detail = f"moved from {old.start_at.isoformat()} to {slot.start.isoformat()} with {slot.staff_id}"
            await self.record(
                connection,
                Change("booking.rescheduled", "booking", new_id_, detail),
                actor=actor,
                key=key,
                contact_id=old.contact_id,
            )
            return new_id_

        return await self.write(
            key=key,
            operation="reschedule",
            request=fingerprint(booking_id, slot),
            work=work,
            load=lambda bid: self.get_booking(BookingId(bid)),
            on_conflict=_slot_taken,
        )

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

        async def work(connection: AsyncConnection) -> str:
            row = await self._row(connection, booking_id, lock=True)
            self._check_transition(row, status)
            if status in HOLDING_STATUSES or status in {BookingStatus.NO_SHOW, BookingStatus.COMPLETED}:
                await connection.execute(
                    update(bookings)
                    .where(bookings.c.id == row.id)
                    .values(status=status.value, updated_at=self._clock.now())
                )
            else:
                await self._release(connection, row.id, status)
            detail = f"{row.status} → {status.value}" + (f": {reason}" if reason else "")
            await self.record(
                connection,
                Change(f"booking.{status.value}", "booking", row.id, detail),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(row.id)

        return await self.write(
            key=key,
            operation="booking_status",
            request=fingerprint(booking_id, status, reason),
            work=work,
            load=lambda bid: self.get_booking(BookingId(bid)),
        )

    @staticmethod
    def _check_transition(row: Row[Any], status: BookingStatus) -> None:
        current = BookingStatus(row.status)
        if status not in ALLOWED_TRANSITIONS[current]:
            raise Conflict(f"booking {row.id} is {current.value}; it cannot become {status.value}")

    async def _release(self, connection: AsyncConnection, booking_id: str, status: BookingStatus) -> None:
        await connection.execute(delete(booking_cells).where(booking_cells.c.booking_id == booking_id))
        await connection.execute(
            update(bookings)
            .where(bookings.c.id == booking_id)
            .values(status=status.value, updated_at=self._clock.now())
        )

    async def _row(self, connection: AsyncConnection, booking_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(bookings).where(bookings.c.id == booking_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no booking {booking_id!r}")
        return row

    async def get_booking(self, booking_id: BookingId) -> Booking:
        """Return a booking (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _booking(await self._row(connection, booking_id))

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
        query = select(bookings).order_by(bookings.c.start_at, bookings.c.id)
        async with reading(self._engine) as connection:
            if contact_id is not None:
                live = await self._live_row(connection, contact_id)
                query = query.where(bookings.c.contact_id == live.id)
            if staff_id is not None:
                query = query.where(bookings.c.staff_id == staff_id)
            if start is not None:
                query = query.where(bookings.c.end_at > start)
            if end is not None:
                query = query.where(bookings.c.start_at < end)
            if statuses is not None:
                query = query.where(bookings.c.status.in_([s.value for s in statuses]))
            return [_booking(row) for row in (await connection.execute(query)).all()]

    async def busy(self, holders: frozenset[str], start: datetime, end: datetime) -> list[Busy]:
        """Occupied time of the given holders overlapping [start, end)."""
        staff = [h.removeprefix("staff:") for h in holders if h.startswith("staff:")]
        resources = [h.removeprefix("resource:") for h in holders if h.startswith("resource:")]
        query = select(bookings).where(
            bookings.c.status.in_([s.value for s in HOLDING_STATUSES]),
            bookings.c.held_from < end,
            bookings.c.held_until > start,
            or_(bookings.c.staff_id.in_(staff), bookings.c.resource_id.in_(resources)),
        )
        async with reading(self._engine) as connection:
            rows = (await connection.execute(query)).all()
        found: list[Busy] = []
        for row in rows:
            for holder in _holders(row.staff_id, row.resource_id):
                if holder in holders:
                    found.append(Busy(holder=holder, start=row.held_from, end=row.held_until))
        return found
