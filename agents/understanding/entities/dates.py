"""Dates and times: relative, vague and explicit, in English and Russian, combined into `DateMention`s."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from agents.understanding.entities._clock import Atom
from agents.understanding.entities._days import day_atoms
from agents.understanding.entities._normalize import Found, Text
from agents.understanding.entities._times import time_atoms
from agents.understanding.model import DateMention

_JOINERS = re.compile(
    r"[\s,.;:-]*(?:(?:в|во|at|on|around|about|около|примерно|где-?то|часов|часа|ровно|for|на)[\s,]*)?"
)


def _joinable(gap: str) -> bool:
    return len(gap) <= 16 and _JOINERS.fullmatch(gap) is not None


def _mention(text: Text, atom: Atom) -> DateMention:
    part = atom.day_part
    return DateMention(
        text=text.snippet(atom.start, atom.end),
        day=atom.day,
        until=atom.until if atom.until != atom.day else None,
        at=atom.at.resolve(part) if atom.at else None,
        day_part=part,
        after=atom.after.resolve(part) if atom.after else None,
        before=atom.before.resolve(part) if atom.before else None,
    )


def find_dates(text: Text, now: datetime, *, month_first: bool = False) -> list[Found[DateMention]]:
    """Date mentions in `text` with their spans; `now` must already be in the business time zone."""
    atoms = list(day_atoms(text, now.date(), month_first=month_first))
    atoms += time_atoms(text.masked((atom.start, atom.end) for atom in atoms), now)
    atoms.sort(key=lambda atom: atom.start)
    groups: list[Atom] = []
    for atom in atoms:
        if groups and groups[-1].fits(atom) and _joinable(text.low[groups[-1].end : atom.start]):
            groups[-1] = groups[-1].merge(atom)
        else:
            groups.append(atom)
    return [Found(group.start, group.end, _mention(text, group)) for group in groups]


def parse_dates(
    text: str, *, now: datetime, zone: tzinfo | None = None, month_first: bool = False
) -> tuple[DateMention, ...]:
    """The dates and times `text` mentions, resolved against `now` in `zone` (default: `now`'s own zone).

    "завтра после обеда" is one mention (a day, `day_part` afternoon, `after` 13:00); "this weekend"
    and "next week" are spans (`day` .. `until`); "at 3pm" alone has only `at`. Dates without a year
    that have already passed this year are read as next year's. `month_first` reads "03/15" as
    15 March (for US businesses).
    """
    local = now.astimezone(zone) if zone is not None else now
    return tuple(found.value for found in find_dates(Text.of(text), local, month_first=month_first))
