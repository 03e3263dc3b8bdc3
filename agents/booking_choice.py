"""Reading a customer's pick among offered slots, their date preferences, and spreading offers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agents._common import ordinal_pick
from agents.understanding import ChoiceKind, DateMention, DayPart, Understanding
from tools.calendar import Slot

FIELD_LABELS: dict[str, dict[str, str]] = {
    "name": {"en": "name", "ru": "имя"},
    "phone": {"en": "phone number", "ru": "номер телефона"},
    "email": {"en": "email", "ru": "email"},
    "address": {"en": "address", "ru": "адрес"},
    "city": {"en": "city", "ru": "город"},
    "comment": {"en": "wishes or anything we should know", "ru": "пожелания к визиту"},
    "area_m2": {"en": "area in m²", "ru": "площадь, м²"},
    "rooms": {"en": "number of rooms", "ru": "количество комнат"},
    "date_of_birth": {"en": "date of birth", "ru": "дату рождения"},
}

_PARTS = {
    DayPart.MORNING: (time(0), time(12)),
    DayPart.AFTERNOON: (time(12), time(17)),
    DayPart.EVENING: (time(17), time(23, 59)),
}


_OTHER_TIMES = re.compile(
    r"none of (these|them)|neither|other (times|days)|another (time|day)|later|earlier|"
    r"ни одно|ни один|никакое|не подходит|другое время|другой день|другие|попозже|позже|пораньше|раньше",
    re.IGNORECASE,
)


def wants_other_times(text: str) -> bool:
    """Whether the customer turns the offered times down and asks for others."""
    return bool(_OTHER_TIMES.search(text))


def preference_window(dates: Sequence[DateMention], zone: ZoneInfo) -> dict[str, str] | None:
    """Slots for the booking search: from/until (ISO, local midnight) and after/before (local times).

    Named days win over spans ("на этой неделе в четверг или пятницу" → Thursday to Friday); the
    time of day comes from the mention tied to a day ("пятницу вечером"), narrowed by a consistent
    loose one ("после работы" → after 18:00) and never widened by a contradicting one.
    """
    if not dates:
        return None
    window: dict[str, str] = {}
    singles = [m.day for m in dates if m.day is not None and m.until is None]
    spans = [(m.day, m.until) for m in dates if m.day is not None and m.until is not None]
    days = (min(singles), max(singles)) if singles else spans[0] if spans else None
    if days is not None:
        first, last = days
        window["from"] = datetime.combine(first, time(0), tzinfo=zone).isoformat()
        window["until"] = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).isoformat()
    timed = [m for m in dates if m.day_part is not None or m.after or m.before or m.at]
    if not timed:
        return window or None
    primary = next((m for m in timed if m.day is not None), timed[0])
    after, before = _bounds(primary)
    for other in timed:
        if other is primary or other.day is not None:
            continue
        extra_after, extra_before = _bounds(other)
        if (
            extra_after is not None
            and (after is None or after < extra_after)
            and _inside(extra_after, before)
        ):
            after = extra_after
        if (
            extra_before is not None
            and (before is None or extra_before < before)
            and _inside(after, extra_before)
        ):
            before = extra_before
    if after is not None:
        window["after"] = after.isoformat(timespec="minutes")
    if before is not None:
        window["before"] = before.isoformat(timespec="minutes")
    return window or None


def _inside(after: time | None, before: time | None) -> bool:
    return after is None or before is None or after < before


def _bounds(mention: DateMention) -> tuple[time | None, time | None]:
    """The earliest and latest start one mention allows."""
    after, before = mention.after, mention.before
    if mention.day_part is not None:
        part_after, part_before = _PARTS[mention.day_part]
        after = after or part_after
        before = before or part_before
    if mention.at is not None:
        after = mention.at
        before = (datetime.combine(datetime.now(UTC).date(), mention.at) + timedelta(hours=2)).time()
    return after, before


def pick_offered(meaning: Understanding, offered: Sequence[str], zone: ZoneInfo) -> str | None:
    """The offered slot token the customer picked: by position, by time ("the 3pm one"), or by its label."""
    if not offered:
        return None
    choice = meaning.entities.choice
    picked = ordinal_pick(choice, offered, meaning.text)
    if picked is not None:
        return picked
    wanted: time | None = choice.at if choice is not None and choice.kind is ChoiceKind.TIME else None
    if wanted is None and meaning.entities.dates and meaning.entities.dates[0].at is not None:
        wanted = meaning.entities.dates[0].at
    if wanted is not None:
        day = meaning.entities.dates[0].day if meaning.entities.dates else None
        for token in offered:
            start = datetime.fromisoformat(token.split("|")[0]).astimezone(zone)
            if start.time().replace(second=0) == wanted.replace(second=0) and (
                day is None or start.date() == day
            ):
                return token
    return None


def spread(slots: Sequence[Slot], count: int, zone: ZoneInfo) -> list[Slot]:
    """Up to `count` distinct times, spread over the days and hours available (earliest first)."""
    unique: dict[datetime, Slot] = {}
    for slot in slots:
        unique.setdefault(slot.start, slot)
    ordered = sorted(unique.values(), key=lambda s: s.start)
    if len(ordered) <= count:
        return ordered
    picked: list[Slot] = [ordered[0]]
    days = {ordered[0].start.astimezone(zone).date()}
    for slot in ordered[1:]:
        if len(picked) == count:
            break
        gap = slot.start - picked[-1].start
        if slot.start.astimezone(zone).date() not in days or gap >= timedelta(hours=2):
            picked.append(slot)
            days.add(slot.start.astimezone(zone).date())
    for slot in ordered:
        if len(picked) == count:
            break
        if slot not in picked:
            picked.append(slot)
    return sorted(picked, key=lambda s: s.start)
