"""Pieces of date mentions before they are combined: days, clock times and parts of the day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time

from agents.understanding.model import DayPart

AFTERNOON_PARTS = (DayPart.AFTERNOON, DayPart.EVENING)


@dataclass(frozen=True)
class Clock:
    """A time of day as written; `ambiguous` when "at 5" could be 05:00 or 17:00."""

    hour: int
    minute: int = 0
    ambiguous: bool = False

    def resolve(self, part: DayPart | None) -> time:
        """The time meant, using the part of the day when one was given ("вечером в 8" → 20:00).

        Without one, 1–7 o'clock is read as the afternoon: nobody books a salon at 3 a.m.
        """
        hour = self.hour
        if self.ambiguous and 1 <= hour <= 11 and (part in AFTERNOON_PARTS or (part is None and hour <= 7)):
            hour += 12
        return time(hour % 24, self.minute)


def clock(hour_text: str, minute_text: str | None, suffix: str | None) -> Clock | None:
    """Read a written time: the hour, the minutes, and an am/pm-like word ("утра", "pm", "вечера")."""
    hour = int(hour_text)
    minute = int(minute_text) if minute_text else 0
    if hour > 24 or minute > 59:
        return None
    word = (suffix or "").replace(".", "").replace(" ", "")
    if "am" in word or "утра" in word:
        if hour > 12:
            return None
        return Clock(0 if hour == 12 else hour, minute)
    if "pm" in word or "вечера" in word:
        if hour > 12:
            return Clock(hour, minute) if hour < 24 else None
        return Clock(12 if hour == 12 else hour + 12, minute)
    if "дня" in word:
        if hour >= 12:
            return Clock(hour, minute) if hour < 24 else None
        return Clock(hour + 12 if hour <= 6 else hour, minute)
    if "ночи" in word:
        if hour == 12:
            return Clock(0, minute)
        return Clock(hour + 12 if 9 <= hour <= 11 else hour, minute)
    if hour == 24:
        return Clock(0, minute)
    return Clock(hour, minute, ambiguous=1 <= hour <= 11)


def clock_pattern(tag: str = "") -> str:
    """A regex fragment for a written time with groups ``h{tag}``, ``m{tag}`` and ``s{tag}``."""
    return (
        rf"(?P<h{tag}>\d{{1,2}})(?:[:.](?P<m{tag}>\d{{2}}))?(?!\d)"
        rf"(?:\s*(?P<s{tag}>a\.?m\.?|p\.?m\.?|o'?clock|час(?:а|ов)?(?:\s+(?:утра|дня|вечера|ночи))?"
        rf"|утра|дня|вечера|ночи|ч(?!\w))(?!\w))?"
    )


@dataclass(frozen=True)
class Atom:
    """One piece of a date mention found at ``[start, end)``."""

    start: int
    end: int
    day: date | None = None
    until: date | None = None
    at: Clock | None = None
    day_part: DayPart | None = None
    after: Clock | None = None
    before: Clock | None = None

    def fits(self, other: Atom) -> bool:
        """Whether `other` adds only what this one lacks ("завтра" + "после обеда")."""
        return not (
            (other.day and self.day)
            or (other.at and self.at)
            or (other.day_part and self.day_part)
            or (other.after and self.after)
            or (other.before and self.before)
        )

    def merge(self, other: Atom) -> Atom:
        """Both pieces as one."""
        return replace(
            self,
            start=min(self.start, other.start),
            end=max(self.end, other.end),
            day=self.day or other.day,
            until=self.until or other.until,
            at=self.at or other.at,
            day_part=self.day_part or other.day_part,
            after=self.after or other.after,
            before=self.before or other.before,
        )
