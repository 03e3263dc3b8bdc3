"""The days a metrics page covers: read from the ``from`` / ``to`` query, checked, turned into instants.

Dates are whole days in the business's time zone, both ends included. A period that reaches into
the future is counted up to now, so "silent for a day before the period's end" (drop-offs) means
silent for a day before now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tools.errors import InvalidInput

MAX_DAYS = 366
"""The longest period a page shows."""
DEFAULT_DAYS = 7
"""The period without a ``from``: this many days ending on ``to`` (today by default)."""
QUICK_DAYS = (7, 30, 90)
"""The quick links' periods, in days ending today."""
PAGE = "/console/metrics"


@dataclass(frozen=True)
class Period:
    """Whole local days, `first` to `last` inclusive, and the instants the report counts between."""

    first: date
    last: date
    start: datetime
    """Midnight starting `first`, in the business's zone."""
    end: datetime
    """Midnight after `last`, or now if that is earlier (and later than `start`)."""

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class QuickRange:
    """A link to the last few days."""

    days: int
    href: str


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _day(value: str, words: Mapping[str, str]) -> date:
    """A ``YYYY-MM-DD`` date; `InvalidInput` (in the staff member's words) otherwise."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(words["error_date"].format(value=value[:40])) from None


def period_of(
    asked_from: str, asked_to: str, *, now: datetime, zone: ZoneInfo, words: Mapping[str, str]
) -> Period:
    """The period asked for (empty values take the defaults); `InvalidInput` with a message for
    staff when a date does not parse, ``from`` is after ``to`` or the period is over `MAX_DAYS`."""
    today = now.astimezone(zone).date()
    last = _day(asked_to, words) if asked_to.strip() else today
    first = _day(asked_from, words) if asked_from.strip() else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(words["error_order"].format(start=first.isoformat(), end=last.isoformat()))
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(words["error_span"].format(days=MAX_DAYS, asked=days))
    start = _midnight(first, zone)
    end = _midnight(last + timedelta(days=1), zone)
    if start < now < end:
        end = now
    return Period(first, last, start, end)


def period_href(first: date, last: date, **extra: str) -> str:
    """The page's address for a period (and extra query values such as ``format``)."""
    return f"{PAGE}?{urlencode({'from': first.isoformat(), 'to': last.isoformat(), **extra})}"


def quick_ranges(now: datetime, zone: ZoneInfo) -> tuple[QuickRange, ...]:
    """Links to the last `QUICK_DAYS` days, each ending today."""
    today = now.astimezone(zone).date()
    return tuple(
        QuickRange(days, period_href(today - timedelta(days=days - 1), today)) for days in QUICK_DAYS
    )
