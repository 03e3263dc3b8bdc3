"""Durations: "на час", "90 минут", "1.5 hours", "полтора часа", "1 час 30 минут", "half an hour"."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from agents.understanding.entities._normalize import NUMBER, Found, Text, to_decimal

_HOURS = r"(?:часа|часов|час|часик\w*|ч\.?|hours?|hrs?\.?|h)"
_MINUTES = r"(?:минут\w*|мин\.?|minutes?|mins?\.?|m)"


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.,]){pattern}(?!\w)")


def _hours_minutes(m: re.Match[str]) -> list[int]:
    return [int(m["h"]) * 60 + int(m["m"])]


def _scaled(factor: int) -> Callable[[re.Match[str]], list[int]]:
    def build(m: re.Match[str]) -> list[int]:
        value = Decimal(1) if m["n"] in {None, "", "an", "a", "one"} else to_decimal(m["n"])
        if value is None or value <= 0 or value * factor > 7 * 24 * 60:
            return []
        return [int(value * factor)]

    return build


def _fixed(*minutes: int) -> Callable[[re.Match[str]], list[int]]:
    return lambda _m: list(minutes)


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], list[int]]]] = [
    (
        _re(rf"(?P<h>\d{{1,2}})\s*{_HOURS}\s*(?:and\s+|и\s+)?(?P<m>\d{{1,2}})\s*(?:{_MINUTES}|м)?"),
        _hours_minutes,
    ),
    (
        _re(r"(?:на\s+)?час[\s-]+полтора|an?\s+hour\s+or\s+(?:an?\s+hour\s+and\s+a\s+half|two)"),
        _fixed(60, 90),
    ),
    (
        _re(r"(?:an?\s+|one\s+)?hour\s+and\s+a\s+half|(?:на\s+)?полтора\s+часа|(?:на\s+)?полтора\s+ч"),
        _fixed(90),
    ),
    (
        _re(r"(?:на\s+)?пол\s*-?\s*часа|(?:на\s+)?полчасика|half\s+an?\s+hour|half\s+hour|30\s*-?\s*min"),
        _fixed(30),
    ),
    (_re(r"(?:на\s+)?(?:пару|парочку)\s+часов|(?:a\s+)?couple\s+(?:of\s+)?hours"), _fixed(120)),
    (_re(rf"(?:на\s+|for\s+)?(?P<n>{NUMBER}|an?)\s*{_HOURS}"), _scaled(60)),
    (_re(rf"(?:на\s+|for\s+)?(?P<n>{NUMBER})\s*{_MINUTES}"), _scaled(1)),
    (_re(r"(?:на|for)\s+(?P<n>an?|one)?\s*(?:час(?:ик|ок)?|hour)"), _scaled(60)),
    (_re(r"(?P<n>)час"), _scaled(60)),
]
_TIME_BEFORE = re.compile(r"(?:в|во|к|at|через|in|около|после|до|с|от)\s*$")
_TIME_AFTER = re.compile(r"\s*(?:утра|дня|вечера|ночи|назад|ago)(?!\w)")


def find_durations(text: Text) -> list[Found[int]]:
    """Durations in minutes with their spans (not clock times like "в 3 часа": find dates first)."""
    low = text.low
    found: list[Found[int]] = []
    for pattern, build in _RULES:
        for m in pattern.finditer(low):
            if _TIME_BEFORE.search(low[max(0, m.start() - 8) : m.start()]) or _TIME_AFTER.match(low, m.end()):
                continue
            minutes = build(m)
            found.extend(Found(m.start(), m.end(), value) for value in minutes)
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
    return sorted(found, key=lambda item: item.start)


def parse_durations(text: str) -> tuple[int, ...]:
    """Durations in minutes ("на час" → 60, "полтора часа" → 90)."""
    return tuple(item.value for item in find_durations(Text.of(text)))
