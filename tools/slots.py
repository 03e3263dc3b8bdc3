"""Free slots: services × staff and resources × working hours × existing bookings.

A pure function of the playbook, the occupied time and the clock, so it is
tested without a database and the store only has to report what is busy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tools.calendar import Busy, Slot, round_out
from tools.playbook import Playbook
from tools.playbook.catalog import Service, StaffMember
from tools.playbook.hours import TimeRange


@dataclass(frozen=True)
class SlotQuery:
    """What to search for."""

    service_id: str
    start: datetime
    """Search from this moment (the minimum notice is applied on top)."""
    end: datetime
    """Search until this moment (capped at the booking horizon)."""
    staff_id: str | None = None
    """Only this staff member."""
    limit: int | None = None
    """Stop after this many slots."""


def holders_for(playbook: Playbook, service: Service) -> frozenset[str]:
    """The busy-holders (``staff:ID``, ``resource:ID``) a service may occupy."""
    return frozenset([f"staff:{s}" for s in service.staff] + [f"resource:{r}" for r in service.resources])


def free_slots(playbook: Playbook, query: SlotQuery, busy: Sequence[Busy], now: datetime) -> list[Slot]:
    """Every bookable slot for the query, by start time then staff order.

    A slot fits when the service itself lies within both the business's and the
    staff member's hours that day, and its time with buffers overlaps nothing
    busy for the staff member and for at least one suitable resource.
    """
    service = playbook.service(query.service_id)
    if not service.bookable or service.duration_minutes is None:
        return []
    policy = playbook.booking
    earliest = max(query.start, now + timedelta(minutes=policy.min_notice_minutes))
    latest = min(query.end, now + timedelta(days=policy.horizon_days))
    occupied: dict[str, list[Busy]] = {}
    for item in busy:
        occupied.setdefault(item.holder, []).append(item)
    staff = [playbook.staff_member(s) for s in service.staff if query.staff_id in (None, s)]
    slots: list[Slot] = []
    for day in _local_days(playbook, earliest, latest):
        for start, staff_member in _candidates(playbook, service, staff, day):
            if not earliest <= start or start >= latest:
                continue
            slot = _fit(service, staff_member, start, occupied)
            if slot is not None:
                slots.append(slot)
                if query.limit is not None and len(slots) >= query.limit:
                    return slots
    return slots


def _local_days(playbook: Playbook, start: datetime, end: datetime) -> Iterator[date]:
    zone = playbook.business.zone
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _candidates(
    playbook: Playbook, service: Service, staff: Sequence[StaffMember], day: date
) -> list[tuple[datetime, StaffMember]]:
    zone = playbook.business.zone
    step = timedelta(minutes=playbook.booking.slot_step_minutes)
    length = timedelta(minutes=service.duration_minutes or 0)
    found: list[tuple[datetime, int, StaffMember]] = []
    business = playbook.hours.spans_on(day)
    for order, member in enumerate(staff):
        if day in member.days_off:
            continue
        own = member.hours.on_date(day) if member.hours is not None else business
        for span in _intersect(business, own):
            begin = datetime.combine(day, span.start, tzinfo=zone)
            close = _span_end(day, span, zone)
            moment = begin
            while moment + length <= close:
                found.append((moment.astimezone(UTC), order, member))
                moment += step
    found.sort(key=lambda item: (item[0], item[1]))
    return [(moment, member) for moment, _, member in found]


def _span_end(day: date, span: TimeRange, zone: object) -> datetime:
    if span.end == time.max:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)  # type: ignore[arg-type]
    return datetime.combine(day, span.end, tzinfo=zone)  # type: ignore[arg-type]


def _intersect(first: Sequence[TimeRange], second: Sequence[TimeRange]) -> list[TimeRange]:
    spans = []
    for a in first:
        for b in second:
            start, end = max(a.start, b.start), min(a.end, b.end)
            if start < end:
                spans.append(TimeRange(start=start, end=end))
    return sorted(spans, key=lambda span: span.start)


def _overlaps(items: Sequence[Busy], start: datetime, end: datetime) -> bool:
    return any(item.start < end and start < item.end for item in items)


def _fit(
    service: Service, member: StaffMember, start: datetime, occupied: dict[str, list[Busy]]
) -> Slot | None:
    end = start + timedelta(minutes=service.duration_minutes or 0)
    held_from, held_until = round_out(
        start - timedelta(minutes=service.buffer_before_minutes),
        end + timedelta(minutes=service.buffer_after_minutes),
    )
    if _overlaps(occupied.get(f"staff:{member.id}", []), held_from, held_until):
        return None
    if not service.resources:
        return Slot(start=start, end=end, staff_id=member.id, resource_id=None)
    for resource_id in service.resources:
        if not _overlaps(occupied.get(f"resource:{resource_id}", []), held_from, held_until):
            return Slot(start=start, end=end, staff_id=member.id, resource_id=resource_id)
    return None
