"""Days: "завтра", "next Friday", "15.03", "5 марта", "this weekend", "через 2 недели"."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal

from agents.understanding.entities._calendar import (
    MONTH,
    ORD_EN,
    ORD_RU,
    RU_NEXT,
    RU_THIS,
    SUFFIX,
    WEEKDAY_EN,
    WEEKDAY_RU,
    YEAR,
    add_months,
    day_of_month,
    future_date,
    month_of,
    ordinal_day,
    weekday_of,
)
from agents.understanding.entities._clock import Atom
from agents.understanding.entities._normalize import NUMBER, Text, to_decimal


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@]){pattern}", re.IGNORECASE)


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], date, bool], tuple[date, date | None] | None]]


def _numeric(m: re.Match[str], today: date, month_first: bool) -> tuple[date, date | None] | None:
    day_text, month_text = (m["m"], m["d"]) if month_first and m["sep"] == "/" else (m["d"], m["m"])
    if m["sep"] == "." and not m["y"] and len(m["m"]) != 2:
        return None
    found = future_date(today, int(month_text), int(day_text), m["y"]) if 1 <= int(month_text) <= 12 else None
    return (found, None) if found else None


def _day_month(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None] | None:
    day = int(m["d"]) if m.groupdict().get("d") else ordinal_day(m)
    found = future_date(today, month_of(m["mon"]), day, m.groupdict().get("y")) if day else None
    return (found, None) if found else None


def _month_day(m: re.Match[str], today: date, flag: bool) -> tuple[date, date | None] | None:
    found = day_of_month(today, int(m["d"]) if m.groupdict().get("d") else ordinal_day(m) or 0)
    return (found, None) if found else None


def _relative(offset: int) -> Callable[[re.Match[str], date, bool], tuple[date, date | None]]:
    return lambda _m, today, _f: (today + timedelta(days=offset), None)


def _q(match: re.Match[str]) -> str:
    found = match.groupdict()
    return (found.get("q") or found.get("q2") or found.get("q3") or "").strip()


def _is_next(qualifier: str) -> bool:
    return bool(re.match(rf"{RU_NEXT}|next|following|the\s+following", qualifier))


def _weekday(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None] | None:
    word = m["w"]
    qualifier = _q(m)
    next_week = bool(m["post"] or m["nw"]) or _is_next(qualifier)
    if len(word) <= 3 and word[0] in "mtwfs" and not (qualifier or m["pre"] or next_week):
        return None
    target = weekday_of(word)
    if next_week:
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + target), None
    delta = (target - today.weekday()) % 7
    if qualifier:
        return today + timedelta(days=delta), None
    return today + timedelta(days=delta or 7), None


def _weekend(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None]:
    monday = today - timedelta(days=today.weekday())
    if _is_next(_q(m)):
        monday += timedelta(days=7)
    return max(monday + timedelta(days=5), today), monday + timedelta(days=6)


def _week(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None]:
    monday = today - timedelta(days=today.weekday())
    if _is_next(_q(m)):
        return monday + timedelta(days=7), monday + timedelta(days=13)
    return today, monday + timedelta(days=6)


def _month_span(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None]:
    if m.groupdict().get("mon"):
        month = month_of(m["mon"])
        first = date(today.year if month >= today.month else today.year + 1, month, 1)
    else:
        first = add_months(today.replace(day=1), 1 if _is_next(_q(m)) else 0)
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return max(first, today), last


def _after_units(
    m: re.Match[str], today: date, _: bool, amount: str | None = None
) -> tuple[date, date | None] | None:
    amount = amount or m["n"] or "1"
    value = Decimal(2) if "couple" in amount else to_decimal(re.sub(r"^an?$", "1", amount))
    if value is None or value > 400:
        return None
    unit, count = m["u"], int(value)
    if unit.startswith(("нед", "week")):
        return today + timedelta(weeks=count), None
    if unit.startswith(("мес", "month")):
        return add_months(today, count), None
    return today + timedelta(days=count), None


def _span_units(m: re.Match[str], today: date, _: bool) -> tuple[date, date | None] | None:
    """ "в течение месяца" → today .. 30 days on; "через 1–3 месяца" → a month on .. three months on."""
    first = m.groupdict().get("lo")
    upper = _after_units(m, today, False)
    if upper is None:
        return None
    if first is None:
        if m["u"].startswith(("мес", "month")):
            months = (upper[0].year - today.year) * 12 + upper[0].month - today.month
            return today, today + timedelta(days=30 * months)
        return today, upper[0]
    value = to_decimal(first)
    if value is None or value > 400:
        return None
    lower = _after_units(m, today, False, amount=first)
    return (lower[0] if lower else today), upper[0]


_UNIT = r"(?P<u>дн(?:я|ей)|день|сутки|суток|недел\w*|месяц\w*|days?|weeks?|months?)(?!\w)"
_PRE = r"(?:(?:на|в|во|к|до|с|со|по|for|by|until|till|from|on)\s+)?"
_NEXT_OR_THIS = rf"{RU_NEXT}|{RU_THIS}"
_EN_Q = r"this|next|the\s+following|following|the\s+coming|coming|upcoming"
_RULES: list[Rule] = [
    (_re(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)(?P<sep>)"), _numeric),
    (
        _re(
            r"(?<![\d.,/:])(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d]|[.,/:]\d)"
        ),
        _numeric,
    ),
    (_re(rf"{_PRE}(?<![\d.,])(?P<d>\d{{1,2}}){SUFFIX}\s*(?:of\s+)?{MONTH}{YEAR}"), _day_month),
    (_re(rf"{_PRE}{MONTH}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.]){YEAR}"), _day_month),
    (_re(rf"{_PRE}(?:{ORD_RU}|(?:the\s+)?{ORD_EN})\s+(?:of\s+)?{MONTH}{YEAR}"), _day_month),
    (_re(rf"{_PRE}{MONTH}\s+(?:the\s+)?{ORD_EN}"), _day_month),
    (_re(r"(?:(?:на|к|до|с|по)\s+)?(?P<d>\d{1,2})-?(?:го|ого|е)(?!\w)(?:\s+числ\w*)?"), _month_day),
    (_re(r"(?:(?:на|к|до|с|по)\s+)?(?P<d>\d{1,2})(?:-?(?:го|ое|е))?\s+числ\w*"), _month_day),
    (_re(rf"(?:(?:на|к|до|с|по)\s+)?{ORD_RU}\s+числ\w*"), _month_day),
    (
        _re(r"(?:on|by|until|till|for|before|after)\s+(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)(?!\w)"),
        _month_day,
    ),
    (_re(r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\s+of\s+(?:this|the|next)\s+month"), _month_day),
    (
        _re(
            r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)(?!\w)(?!\s+(?:one|option|slot|time|floor|visit|place|choice))"
        ),
        _month_day,
    ),
    (
        _re(rf"{_PRE}(?:the\s+)?(?:day\s+after\s+tomorrow|послезавтра|после\s*завтра|послезавра)(?!\w)"),
        _relative(2),
    ),
    (_re(rf"{_PRE}(?:the\s+)?(?:day\s+before\s+yesterday|позавчера)(?!\w)"), _relative(-2)),
    (
        _re(
            rf"{_PRE}(?:tomorrow|tomorow|tommorow|tommorrow|tomorrw|tmrw|tmrow|tmr|2moro|2morrow|завтра|завтро|зафтра|завтре|zavtra)(?!\w)"
        ),
        _relative(1),
    ),
    (_re(rf"{_PRE}(?:today|tday|2day|сегодня|седня|сегодн[яи]|сегодя|сиводня|segodnya)(?!\w)"), _relative(0)),
    (_re(rf"{_PRE}(?:yesterday|вчера)(?!\w)"), _relative(-1)),
    (
        _re(
            rf"(?:в\s+течени[еи]|в\s+пределах|в\s+ближайш\w+|не\s+позже\s+чем\s+через|within|in\s+the\s+next)"
            rf"\s+(?:(?P<n>{NUMBER}|an?|a\s+couple\s+of|пару|пары)\s+)?{_UNIT}"
        ),
        _span_units,
    ),
    (
        _re(rf"(?:через|in)\s+(?P<lo>\d{{1,3}})\s*(?:-|to|или|or)\s*(?P<n>\d{{1,3}})\s+{_UNIT}"),
        _span_units,
    ),
    (
        _re(
            rf"(?:через|in|after)\s+(?:(?P<n>{NUMBER}|an?|a\s+couple\s+of|couple\s+of|a\s+couple|пару)\s+)?"
            r"(?P<u>дн(?:я|ей)|день|сутки|суток|недел\w*|месяц\w*|days?|weeks?|months?)(?!\w)"
        ),
        _after_units,
    ),
    (
        _re(rf"(?P<n>{NUMBER}|an?|a\s+couple\s+of)\s+(?P<u>days?|weeks?|months?)\s+from\s+(?:now|today)"),
        _after_units,
    ),
    (
        _re(
            rf"(?P<nw>на\s+следующей\s+неделе\s+|next\s+week\s+)?(?P<pre>(?:в|во|на|к|до|с|со|по|on|by|until|till|from)\s+)?"
            rf"(?:(?P<q>{_NEXT_OR_THIS}|{_EN_Q})\s+)?(?:(?:в|во|on)\s+)?(?P<w>{WEEKDAY_RU}|{WEEKDAY_EN})s?(?!\w)"
            r"(?P<post>\s+(?:на\s+следующей\s+неделе|на\s+след\.?\s+неделе|next\s+week|of\s+next\s+week))?"
        ),
        _weekday,
    ),
    (
        _re(
            rf"(?:(?:на|в)\s+)?(?P<q>{_NEXT_OR_THIS})\s+недел[еюи](?!\w)|на\s+неделе(?!\w)"
            rf"|(?:(?:in|during|over)\s+)?(?P<q2>{_EN_Q})\s+week(?!\w)"
        ),
        _week,
    ),
    (
        _re(
            rf"(?:в|на)\s+(?:(?P<q>{_NEXT_OR_THIS})\s+)?выходн\w*(?:\s+дн\w+)?|(?P<q2>{_NEXT_OR_THIS})\s+выходн\w*"
            rf"|(?:(?:on|at|over|for|during|in)\s+)?(?:(?P<q3>{_EN_Q}|the)\s+)?week-?ends?(?!\w)"
        ),
        _weekend,
    ),
    (
        _re(rf"(?:в|на)\s+(?P<q>{_NEXT_OR_THIS})\s+месяц\w*|(?:in\s+)?(?P<q2>this|next)\s+month(?!\w)"),
        _month_span,
    ),
    (
        _re(
            r"(?:в|in)\s+(?P<mon>январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре"
            r"|january|february|march|april|may|june|july|august|september|october|november|december)(?!\w)"
        ),
        _month_span,
    ),
]


def day_atoms(text: Text, today: date, *, month_first: bool = False) -> Iterator[Atom]:
    """Find the days `text` mentions; blanks each one out of `text.low` as it goes (see `Text.masked`)."""
    low = text.low
    for pattern, build in _RULES:
        for match in pattern.finditer(low):
            if not low[match.start() : match.end()].strip():
                continue
            found = build(match, today, month_first)
            if found is None:
                continue
            start, end = match.span()
            low = low[:start] + " " * (end - start) + low[end:]
            yield Atom(start, end, day=found[0], until=found[1])
