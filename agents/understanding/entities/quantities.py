"""Quantities with units: area ("45 м2", "60 sq m"), rooms ("трёшка", "2-bedroom"), people, items, days."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from agents.understanding.entities._normalize import NUMBER, Found, Text, to_decimal
from agents.understanding.model import QuantityMention

_N = rf"(?P<n>{NUMBER})"
_AREA = (
    r"(?:м2|м²|m2|m²|кв\.?\s*м\.?(?!\w)|кв\.?\s*метр\w*|квм|кв(?!\w)\.?(?!\s*\d)|квадрат\w*(?:\s+метр\w*)?|метр\w*\s+квадрат\w*"
    r"|sq\.?\s*m\.?(?!\w)|sqm|sq\.?\s*met(?:er|re)s?|square\s+met(?:er|re)s?|метров|метра)"
)
_ROOM_WORDS: tuple[tuple[str, int], ...] = (
    (r"однушк\w*|одн[оа]\s*-?\s*комнатн\w*|однокомнатн\w*|one[\s-]?bed(?:room)?s?|one[\s-]?room", 1),
    (r"\w*двушк\w*|двух?\s*-?\s*комнатн\w*|two[\s-]?bed(?:room)?s?|two[\s-]?room", 2),
    (r"\w*трешк\w*|трех?\s*-?\s*комнатн\w*|three[\s-]?bed(?:room)?s?|three[\s-]?room", 3),
    (r"четырешк\w*|четырех?\s*-?\s*комнатн\w*|four[\s-]?bed(?:room)?s?|four[\s-]?room", 4),
    (r"пятикомнатн\w*|пяти\s*-?\s*комнатн\w*|five[\s-]?bed(?:room)?s?", 5),
    (r"квартир\w*[\s-]+студи\w*|студи\w*[\s-]+квартир\w*|studio\s+(?:apartment|flat)|studio\s+apt", 0),
)
_GROUPS = {"двоих": 2, "троих": 3, "четверых": 4, "пятерых": 5, "шестерых": 6}
_TOGETHER = {"вдвоем": 2, "втроем": 3, "вчетвером": 4, "впятером": 5}
_ASKED = {
    "area": "m2", "area_m2": "m2", "m2": "m2", "rooms": "rooms", "people": "people", "guests": "people",
    "party_size": "people", "quantity": "items", "items": "items", "count": "items",
}  # fmt: skip


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.,]){pattern}(?!\w)")


def _number_unit(unit: str) -> Callable[[re.Match[str]], tuple[Decimal, str] | None]:
    def build(m: re.Match[str]) -> tuple[Decimal, str] | None:
        value = to_decimal(m["n"]) if m["n"] else Decimal(1)
        return None if value is None or value <= 0 else (value, unit)

    return build


def _period(m: re.Match[str]) -> tuple[Decimal, str] | None:
    value = to_decimal(m["n"]) if m["n"] and m["n"] not in {"a", "an"} else Decimal(1)
    word = m["u"]
    unit = (
        "weeks"
        if word.startswith(("нед", "week"))
        else "months"
        if word.startswith(("мес", "month"))
        else "days"
    )
    return None if value is None or value <= 0 else (value, unit)


def _fixed(value: int, unit: str) -> Callable[[re.Match[str]], tuple[Decimal, str]]:
    return lambda _m: (Decimal(value), unit)


def _group(m: re.Match[str]) -> tuple[Decimal, str]:
    return Decimal((_GROUPS | _TOGETHER)[m["w"]]), "people"


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[Decimal, str] | None]]] = [
    (_re(rf"{_N}\s*{_AREA}"), _number_unit("m2")),
    *[(_re(rf"(?:{words})"), _fixed(value, "rooms")) for words, value in _ROOM_WORDS],
    (
        _re(
            rf"{_N}\s*-?\s*(?:х\s*-?\s*)?(?:комнат\w*|комн\.?|спальн\w*|rooms?|bedrooms?|bed(?:room)?|br|bd|к(?=\.?\s*кв))"
        ),
        _number_unit("rooms"),
    ),
    (
        _re(rf"(?:на\s+)?{_N}\s*(?:человек\w*|чел\.?|персон\w*|гост\w*|people|persons?|guests?|pax|ppl)"),
        _number_unit("people"),
    ),
    (_re(rf"(?:на|нас)\s+(?P<w>{'|'.join(_GROUPS)})"), _group),
    (_re(rf"(?P<w>{'|'.join(_TOGETHER)})"), _group),
    (
        _re(
            r"(?:for|party\s+of)\s+(?P<n>two|three|four|five|six|2|3|4|5|6)(?:\s+of\s+us)?(?=\s*(?:[.,!?)]|$))"
        ),
        _number_unit("people"),
    ),
    (_re(r"нас\s+(?:будет\s+)?(?P<n>\d{1,2}|двое|трое|четверо|пятеро|шестеро)"), _number_unit("people")),
    (
        _re(rf"{_N}\s*(?:шт\w*\.?|штук\w*|pcs\.?|pieces?|pc|items?|units?|упаков\w*|pack(?:s|ets?)?)"),
        _number_unit("items"),
    ),
    (
        _re(
            rf"(?:на|for)\s+(?:(?P<n>{NUMBER}|an?)\s+)?(?P<u>дн(?:я|ей)|день|сутки|суток|недел[юиь]|месяц(?:а|ев)?|days?|weeks?|months?)"
        ),
        _period,
    ),
]


def find_quantities(text: Text, *, expecting: str | None = None) -> list[Found[QuantityMention]]:
    """Quantities in `text`; a bare number counts too when the last question asked for one (`expecting`)."""
    low = text.low
    found: list[Found[QuantityMention]] = []
    for pattern, build in _RULES:
        for m in pattern.finditer(low):
            result = build(m)
            if result is None:
                continue
            found.append(
                Found(m.start(), m.end(), QuantityMention(text.snippet(m.start(), m.end()), *result))
            )
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
    unit = _ASKED.get(expecting or "")
    if unit:
        for m in _re(r"(?<![\d:/+-])(?P<n>\d+(?:[.,]\d+)?)(?![\d:/]|[.,]\d)").finditer(low):
            value = to_decimal(m["n"])
            if value is not None and value < 100000:
                found.append(
                    Found(m.start(), m.end(), QuantityMention(text.snippet(m.start(), m.end()), value, unit))
                )
        if unit == "rooms":
            for m in _re(r"студи\w*|studio").finditer(low):
                found.append(
                    Found(
                        m.start(),
                        m.end(),
                        QuantityMention(text.snippet(m.start(), m.end()), Decimal(0), unit),
                    )
                )
    return sorted(found, key=lambda item: item.start)


def parse_quantities(text: str, *, expecting: str | None = None) -> tuple[QuantityMention, ...]:
    """Quantities in `text`: units ``m2``, ``rooms``, ``people``, ``items``, ``days``, ``weeks``, ``months``."""
    return tuple(item.value for item in find_quantities(Text.of(text), expecting=expecting))
