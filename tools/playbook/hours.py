"""Opening hours, holidays and quiet hours."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import WEEKDAYS, ClockTime, PlaybookModel, Weekday, parse_clock
from tools.playbook.text import LocalizedText


class TimeRange(PlaybookModel):
    """A span within one day, written ``"10:00-19:00"``."""

    start: ClockTime
    """When the span begins."""
    end: ClockTime
    """When it ends (``"24:00"`` for midnight)."""

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise PydanticCustomError("time_range", "the end must be later than the start")
        return self


def _range_from_string(value: Any) -> Any:
    if isinstance(value, str):
        parts = value.replace("–", "-").split("-")
        if len(parts) != 2:
            raise PydanticCustomError(
                "time_range", 'must be a span of time as "HH:MM-HH:MM", for example "10:00-19:00"'
            )
        return {"start": parse_clock(parts[0]), "end": parse_clock(parts[1])}
    return value


Span = Annotated[TimeRange, BeforeValidator(_range_from_string, json_schema_input_type=str | TimeRange)]


def _spans_do_not_overlap(spans: list[TimeRange]) -> list[TimeRange]:
    ordered = sorted(spans, key=lambda span: span.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            raise PydanticCustomError("overlap", "the spans of one day must not overlap")
    return ordered


class WeeklyHours(PlaybookModel):
    """Hours per weekday; a day that is missing or empty is closed."""

    mon: list[Span] = Field(default_factory=list)
    tue: list[Span] = Field(default_factory=list)
    wed: list[Span] = Field(default_factory=list)
    thu: list[Span] = Field(default_factory=list)
    fri: list[Span] = Field(default_factory=list)
    sat: list[Span] = Field(default_factory=list)
    sun: list[Span] = Field(default_factory=list)

    @field_validator("*")
    @classmethod
    def _no_overlap(cls, spans: list[TimeRange]) -> list[TimeRange]:
        return _spans_do_not_overlap(spans)

    def on(self, weekday: Weekday) -> list[TimeRange]:
        """The spans open on `weekday`."""
        spans: list[TimeRange] = getattr(self, weekday)
        return spans

    def on_date(self, day: date) -> list[TimeRange]:
        """The spans open on the weekday of `day`."""
        return self.on(WEEKDAYS[day.weekday()])


class SpecialDay(PlaybookModel):
    """A date with hours other than usual (a short day before a holiday)."""

    date: date
    """The date, ``YYYY-MM-DD``."""
    hours: list[Span]
    """The spans open that day."""

    _check_hours = field_validator("hours")(_spans_do_not_overlap)


class Holiday(PlaybookModel):
    """A date the business is closed."""

    date: date
    """The date, ``YYYY-MM-DD``."""
    name: LocalizedText | None = None
    """What the holiday is called, for replies ("closed for New Year")."""


class QuietHours(PlaybookModel):
    """When proactive messages must not be sent, in the customer's time zone.

    The span may cross midnight (``start: "21:00"``, ``end: "09:00"``).
    Messages due in quiet hours are deferred to the end of them, not dropped.
    """

    start: ClockTime
    """Quiet hours begin."""
    end: ClockTime
    """Quiet hours end."""

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise PydanticCustomError("quiet_hours", "start and end must differ")
        return self

    def contains(self, moment: time) -> bool:
        """Whether a local time of day falls in quiet hours."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class BusinessHours(PlaybookModel):
    """When the business works."""

    weekly: WeeklyHours
    """Usual hours per weekday."""
    holidays: list[Holiday] = Field(default_factory=list)
    """Dates the business is closed."""
    special_days: list[SpecialDay] = Field(default_factory=list)
    """Dates with other hours than usual."""
    quiet_hours: QuietHours = QuietHours(start=time(21, 0), end=time(9, 0))
    """When proactive messages wait (default 21:00–09:00)."""

    def spans_on(self, day: date) -> list[TimeRange]:
        """The spans the business is open on `day`, holidays and special days applied."""
        if any(holiday.date == day for holiday in self.holidays):
            return []
        for special in self.special_days:
            if special.date == day:
                return special.hours
        return self.weekly.on_date(day)
