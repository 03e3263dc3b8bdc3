"""Small validated value types shared by the playbook sections.

Each type rejects bad input with a message a business owner understands
("must be a positive whole number"); the loader adds the field path and the
offending value.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

Language = Literal["en", "ru"]
"""A language Frontdesk understands and answers in."""

SUPPORTED_LANGUAGES: tuple[Language, ...] = ("en", "ru")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class PlaybookModel(BaseModel):
    """Base of every playbook section: unknown keys are errors, docstrings document fields."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )


def _whole_number(value: Any, *, minimum: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("whole_number", f"must be {what}")
    if isinstance(value, float) and not value.is_integer():
        raise PydanticCustomError("whole_number", f"must be {what}")
    number = int(value)
    if number < minimum:
        raise PydanticCustomError("whole_number", f"must be {what}")
    return number


def _positive(value: Any) -> int:
    return _whole_number(value, minimum=1, what="a positive whole number")


def _non_negative(value: Any) -> int:
    return _whole_number(value, minimum=0, what="a whole number, zero or more")


PositiveInt = Annotated[int, BeforeValidator(_positive), WithJsonSchema({"type": "integer", "minimum": 1})]
"""A whole number of at least 1 (minutes, hours, days, counts)."""

NonNegativeInt = Annotated[
    int, BeforeValidator(_non_negative), WithJsonSchema({"type": "integer", "minimum": 0})
]
"""A whole number of at least 0."""


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError("money", "must be an amount of money such as 2500 or 99.90")
    try:
        amount = Decimal(str(value).replace(" ", "").replace("_", ""))
    except InvalidOperation:
        raise PydanticCustomError("money", "must be an amount of money such as 2500 or 99.90") from None
    if not amount.is_finite() or amount < 0:
        raise PydanticCustomError("money", "must be an amount of money, zero or more")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise PydanticCustomError("money", "must have at most two decimal places")
    return amount


_MONEY_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": "^[0-9][0-9 _]*(\\.[0-9]{1,2})?$"},
    ]
}

Amount = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_MONEY_SCHEMA),
]
"""A non-negative amount of money in the business currency (major units)."""


def _percent(value: Any) -> Decimal:
    amount = _money(value)
    if amount > 100:
        raise PydanticCustomError("percent", "must be a percentage between 0 and 100")
    return amount


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
"""A percentage from 0 to 100."""


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise PydanticCustomError(
            "slug",
            "must be an id of lowercase letters, digits, '-' or '_' (for example 'haircut-short')",
        )
    return value


Slug = Annotated[str, BeforeValidator(_slug), WithJsonSchema({"type": "string", "pattern": _SLUG.pattern})]
"""An identifier used to refer to a record from elsewhere in the playbook."""


def parse_clock(value: Any) -> time:
    """Parse ``"HH:MM"`` (24-hour; ``"24:00"`` is the end of the day) into a `time`."""
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError("clock", 'must be a time of day as "HH:MM", for example "09:30"')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if (hours, minutes) == (24, 0):
        return time.max
    if hours > 23 or minutes > 59:
        raise PydanticCustomError("clock", 'must be a time of day as "HH:MM", for example "09:30"')
    return time(hours, minutes)


def format_clock(moment: time) -> str:
    """Format a `time` back to ``"HH:MM"``."""
    return "24:00" if moment == time.max else moment.strftime("%H:%M")


ClockTime = Annotated[
    time,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _CLOCK.pattern, "examples": ["09:30", "24:00"]}),
]
"""A time of day written as ``"HH:MM"``."""
