"""Subset matching of expected values against what happened, and how values are shown in diffs.

Rules: a mapping matches when each expected key matches the actual value under it;
a list matches when each expected item matches some actual item (contain-all, any
order); a single expected value matches a list that contains it; numbers match
numerically (``1490`` = ``"1490.00"``, also when both are digits written as text); a date or time written in the suite is
compared as a moment (``2027-03-02T12:00:00+03:00`` = ``2027-03-02T09:00:00+00:00``,
naive ones in the business's time zone), and a bare date matches any moment on that
local day. Everything else is compared for equality.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from evals.dialogues.model import Json

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def _number(value: Json) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _moment(value: str, zone: ZoneInfo) -> datetime | None:
    if not _DATETIME.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _scalar_matches(expected: Json, actual: Json, zone: ZoneInfo) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if expected is None or actual is None:
        return expected is actual
    if isinstance(expected, int | float) or isinstance(actual, int | float):
        low, high = _number(expected), _number(actual)
        return low is not None and low == high
    if isinstance(expected, str) and isinstance(actual, str):
        if expected == actual:
            return True
        if _NUMBER.match(expected) and _NUMBER.match(actual):
            return Decimal(expected) == Decimal(actual)
        seen = _moment(actual, zone)
        if seen is None:
            return False
        if _DATE.match(expected):
            return seen.astimezone(zone).date() == date.fromisoformat(expected)
        wanted = _moment(expected, zone)
        return wanted is not None and wanted == seen
    return False


def matches(expected: Json, actual: Json, zone: ZoneInfo) -> bool:
    """Whether `actual` holds everything `expected` asks for (see the module's rules)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(key in actual and matches(value, actual[key], zone) for key, value in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        return all(any(matches(item, seen, zone) for seen in actual) for item in expected)
    if isinstance(actual, list):
        return any(matches(expected, item, zone) for item in actual)
    if isinstance(actual, dict):
        return False
    return _scalar_matches(expected, actual, zone)


def render(value: object, *, limit: int = 400) -> str:
    """A value as compact JSON for messages (shortened past `limit` characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def project(record: Mapping[str, Json], keys: list[str]) -> dict[str, Json]:
    """The parts of a record a diff should show: its id and the keys asked about."""
    shown = {key: record[key] for key in ["id", *keys] if key in record}
    return shown or dict(record)


def normalize_text(text: str) -> str:
    """Text for comparisons: no-break and thin spaces as plain spaces, case folded."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").casefold()
