"""Times of day: "at 3pm", "15:00", "в 7 вечера", "после обеда", "after 5", "с 10 до 12", "через час"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from agents.understanding.entities._clock import Atom, Clock, clock, clock_pattern
from agents.understanding.entities._normalize import NUMBER, Text, to_decimal, word_number
from agents.understanding.model import DayPart

_MERIDIEM = re.compile(r"a\.?m|p\.?m|o'?clock|утра|дня|вечера|ночи")
_GREETING = re.compile(r"(?:добр\w*|good)\s*$")
_PARTS: list[tuple[str, DayPart, Clock | None, Clock | None]] = [
    (r"(?:до|перед)\s+обеда|before\s+lunch(?:time)?", DayPart.MORNING, None, Clock(13)),
    (
        r"(?:до|before)\s+(?:полудня|noon|midday)|(?:в\s+)?перв(?:ой|ая|ую)\s+половин[еауы]\s+дня"
        r"|(?:in\s+)?the\s+first\s+half\s+of\s+the\s+day",
        DayPart.MORNING,
        None,
        Clock(12),
    ),
    (
        r"(?:после|after)\s+(?:обеда|lunch(?:time)?)|(?:во\s+)?втор(?:ой|ая|ую)\s+половин[еауы]\s+дня"
        r"|(?:in\s+)?the\s+second\s+half\s+of\s+the\s+day",
        DayPart.AFTERNOON,
        Clock(13),
        None,
    ),
    (r"(?:после|after)\s+(?:полудня|noon|midday)", DayPart.AFTERNOON, Clock(12), None),
    (r"(?:после|after)\s+(?:работы|work)", DayPart.EVENING, Clock(18), None),
    (
        r"(?P<this>this\s+)?(?:(?:early\s+)?morning|in\s+the\s+morning|mornings|утром|утречком|с\s+утра"
        r"|с\s+утречка|по\s+утрам|на\s+утро|утро)",
        DayPart.MORNING,
        None,
        None,
    ),
    (
        r"(?P<this>this\s+)?(?:afternoon|in\s+the\s+afternoon|днем(?!\s+рожд)|в\s+обед|в\s+обеденное\s+время"
        r"|(?:at|around)\s+lunch(?:time)?|lunchtime|в\s+середине\s+дня|middle\s+of\s+the\s+day)",
        DayPart.AFTERNOON,
        None,
        None,
    ),
    (
        r"(?P<this>this\s+|to)(?:night|nite)|(?P<this2>this\s+)?(?:evening|in\s+the\s+evening|вечером|вечерком"
        r"|ближе\s+к\s+вечеру|под\s+вечер|на\s+вечер|по\s+вечерам|вечер)",
        DayPart.EVENING,
        None,
        None,
    ),
]
_PART_RULES = [(re.compile(rf"(?<!\w)(?:{p})(?!\w)"), part, a, b) for p, part, a, b in _PARTS]

_PREP = r"(?P<prep>в|во|к|на|at|by|around|about|около|примерно\s+в|где-?то\s+в|ровно\s+в)"
_UNIT_AFTER = re.compile(
    r"\s*(?:%|x(?!\w)|раз|комнат|кв|м2|м²|m2|человек|чел|шт|руб|р\.|р(?!\w)|тыс|к(?!\w)|k(?!\w)|минут|мин|дн|день"
    r"|недел|месяц|лет|год|этаж|числ|процент|дет|ребен|подруг|друз|kid|child|friend|people|person|guest|room|pc|piece|item|time|day|week|month|year"
    r"|minute|min|hour|\$|€|₽|[.,/]\d|-?(?:го|ого|й|я|е|th|st|nd|rd)(?!\w))"
)
_WORD_HOURS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|один|два|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|двенадцать"
)
_HALF_PAST_RU = (
    "первого", "второго", "третьего", "четвертого", "пятого", "шестого", "седьмого", "восьмого", "девятого",
    "десятого", "одиннадцатого", "двенадцатого",
)  # fmt: skip


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@]){pattern}")


def _clock_of(m: re.Match[str], tag: str = "") -> Clock | None:
    found = m.groupdict()
    return clock(found[f"h{tag}"], found.get(f"m{tag}"), found.get(f"s{tag}"))


def _range(m: re.Match[str], _low: str) -> Atom | None:
    first, last = _clock_of(m, "1"), _clock_of(m, "2")
    if first is None or last is None:
        return None
    if first.ambiguous and not last.ambiguous:
        first = (
            Clock(first.hour + 12, first.minute)
            if first.hour + 12 <= last.hour
            else Clock(first.hour, first.minute)
        )
    return Atom(m.start(), m.end(), after=first, before=last)


def _bound(kind: str) -> Callable[[re.Match[str], str], Atom | None]:
    def build(m: re.Match[str], low: str) -> Atom | None:
        found = _clock_of(m)
        if found is None or (not m["m"] and not m["s"] and _UNIT_AFTER.match(low, m.end())):
            return None
        return (
            Atom(m.start(), m.end(), after=found)
            if kind == "after"
            else Atom(m.start(), m.end(), before=found)
        )

    return build


def _at(m: re.Match[str], low: str) -> Atom | None:
    found = _clock_of(m)
    if found is None:
        return None
    suffix = (m["s"] or "").strip()
    meridiem = bool(_MERIDIEM.search(suffix))
    colon = bool(m["m"]) and low[m.start("m") - 1] == ":"
    prep = (m["prep"] or "").strip()
    if meridiem or colon:
        return Atom(m.start(), m.end(), at=found)
    if (
        not prep
        or (prep == "на" and not suffix)
        or (not m["m"] and not suffix and _UNIT_AFTER.match(low, m.end()))
    ):
        return None
    return Atom(m.start(), m.end(), at=found)


def _word_hour(m: re.Match[str], low: str) -> Atom | None:
    value = word_number(m["w"])
    if value is None or (not m["s"] and _UNIT_AFTER.match(low, m.end())):
        return None
    found = clock(str(int(value)), None, m["s"])
    return Atom(m.start(), m.end(), at=found) if found else None


def _quarter(m: re.Match[str], _low: str) -> Atom | None:
    value = to_decimal(m["h"])
    if value is None or not 1 <= value <= 12:
        return None
    hour, minute = int(value), 30 if m["kind"] == "half" else 15
    if m["rel"] == "to":
        hour, minute = (hour - 1 or 12), 45
    return Atom(m.start(), m.end(), at=Clock(hour, minute, ambiguous=hour != 12))


def _half_ru(m: re.Match[str], _low: str) -> Atom:
    hour = _HALF_PAST_RU.index(m["ord"])
    return Atom(m.start(), m.end(), at=Clock(hour or 12, 30, ambiguous=hour != 0))


def _fixed(hour: int) -> Callable[[re.Match[str], str], Atom]:
    return lambda m, _low: Atom(m.start(), m.end(), at=Clock(hour))


def _one_oclock(m: re.Match[str], _low: str) -> Atom:
    return Atom(m.start(), m.end(), at=Clock(1 if m["s"] == "ночи" else 13))


_C = clock_pattern()
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], Atom | None]]] = [
    (
        _re(
            rf"(?:с|со|from|between)\s+{clock_pattern('1')}\s*(?:до|по|to|and|till|until|-)\s*{clock_pattern('2')}"
        ),
        _range,
    ),
    (_re(r"(?P<h1>\d{1,2})[:.](?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2})[:.](?P<m2>\d{2})(?!\d)"), _range),
    (
        _re(
            r"(?:после|after|не\s+раньше|не\s+ранее|no\s+earlier\s+than|not\s+before|not\s+earlier\s+than"
            rf"|later\s+than|(?<!не\s)позже|starting\s+(?:at|from)|any\s*time\s+after|с|со|from)\s+{_C}"
        ),
        _bound("after"),
    ),
    (
        _re(
            r"(?:до|before|не\s+позже|не\s+позднее|no\s+later\s+than|not\s+later\s+than|not\s+after|until|till"
            rf"|earlier\s+than|раньше)\s+{_C}"
        ),
        _bound("before"),
    ),
    (
        _re(
            r"(?:(?:at|around|about|by)\s+)?(?P<kind>half|quarter)\s+(?P<rel>past|to)\s+(?P<h>\d{1,2}|"
            + _WORD_HOURS
            + r")(?!\w)"
        ),
        _quarter,
    ),
    (_re(r"(?:(?:в|к|около)\s+)?пол\s*-?\s*(?P<ord>" + "|".join(_HALF_PAST_RU) + r")(?!\w)"), _half_ru),
    (_re(r"(?:(?:в|к|at|by|around)\s+)?(?:полдень|noon|midday)(?!\w)"), _fixed(12)),
    (_re(r"(?:(?:в|к|at|by|around)\s+)?(?:полночь|midnight)(?!\w)"), _fixed(0)),
    (_re(r"(?:в|к|около)\s+час(?:\s+(?P<s>дня|ночи))?(?!\w)"), _one_oclock),
    (_re(rf"(?:{_PREP}\s+)?(?<![\d.,:/+])(?<!\d\s){_C}"), _at),
    (
        _re(
            rf"(?:в|во|к|at|by|around|about|около)\s+(?P<w>{_WORD_HOURS})(?:\s*(?P<s>a\.?m\.?|p\.?m\.?|o'?clock|(?:час(?:а|ов)?\s+)?(?:утра|дня|вечера|ночи)|час(?:а|ов)?))?(?!\w)"
        ),
        _word_hour,
    ),
]


def _relative_time(text: Text, now: datetime) -> Iterator[Atom]:
    pattern = _re(
        rf"(?:через|in)\s+(?:(?P<n>{NUMBER}|an?|half\s+an?|пол)\s*)?(?P<u>час\w*|hours?|минут\w*|мин|minutes?|mins?)(?!\w)"
    )
    for m in pattern.finditer(text.low):
        amount = (m["n"] or "1").strip()
        value = (
            Decimal("0.5")
            if amount.startswith(("half", "пол"))
            else to_decimal(re.sub(r"^an?$", "1", amount))
        )
        if value is None or value <= 0 or value > 48 * 60:
            continue
        minutes = value * (60 if m["u"].startswith(("ч", "h")) else 1)
        moment = now + timedelta(minutes=int(minutes))
        yield Atom(m.start(), m.end(), day=moment.date(), at=Clock(moment.hour, moment.minute))


def time_atoms(text: Text, now: datetime) -> Iterator[Atom]:
    """Find times of day and parts of the day in `text` (`now` is local to the business)."""
    low = text.low
    for relative in _relative_time(text, now):
        low = low[: relative.start] + " " * (relative.end - relative.start) + low[relative.end :]
        yield relative
    for pattern, part, after, before in _PART_RULES:
        for m in pattern.finditer(low):
            if _GREETING.search(low[max(0, m.start() - 12) : m.start()]):
                continue
            this = (m.groupdict().get("this") or m.groupdict().get("this2") or "").strip()
            day = now.date() if this else None
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
            yield Atom(m.start(), m.end(), day=day, day_part=part, after=after, before=before)
    for pattern, build in _RULES:
        for m in pattern.finditer(low):
            atom = build(m, low)
            if atom is None:
                continue
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
            yield atom
