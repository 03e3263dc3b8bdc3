"""Calendar words in English and Russian: months, weekdays, ordinal days, and date arithmetic."""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTH = (
    r"(?P<mon>январ[ьяе]|янв|феврал[ьяе]|фев|март[ае]?|мар|апрел[ьяе]|апр|ма[йяе]|июн[ьяе]|июн|июл[ьяе]|июл"
    r"|август[ае]?|авг|сентябр[ьяе]|сент|сен|октябр[ьяе]|окт|ноябр[ьяе]|ноя|декабр[ьяе]|дек"
    r"|january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep"
    r"|october|oct|november|nov|december|dec)(?!\w)\.?"
)
_MONTH_KEYS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
__MONTH_KEYSEN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_ORDINAL_STEMS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7, "восьм": 8,
    "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13, "четырнадцат": 14,
    "пятнадцат": 15, "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18, "девятнадцат": 19,
    "двадцат": 20, "тридцат": 30,
}  # fmt: skip
_ORDINALS_EN = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_STEMS = "|".join(sorted(_ORDINAL_STEMS, key=len, reverse=True))
ORD_RU = rf"(?:(?P<tens>двадцать|тридцать)\s+)?(?P<stem>{_STEMS})(?:ое|ого|ье|ьего|его|е)(?!\w)"
_ENS = "|".join(sorted(_ORDINALS_EN, key=len, reverse=True))
ORD_EN = rf"(?:(?P<tens_en>twenty|thirty)[\s-]?)?(?P<word_en>{_ENS})(?!\w)"
SUFFIX = r"(?:-?(?:го|ого|е|ое|st|nd|rd|th))?"
YEAR = r"(?:\s*,?\s*(?P<y>\d{4})(?:\s*(?:года|год|г\.|г(?!\w)))?)?"

WEEKDAY_RU = (
    r"понедельник\w*|понед|пн|вторник\w*|вт|сред[аеуы]|ср|четверг\w*|чт|пятниц\w*|пятнец\w*|пт"
    r"|суббот\w*|субот\w*|сб|воскресень\w*|воскресен\w*|воскр|вс"
)
WEEKDAY_EN = (
    r"mon(?:day|dey)?|munday|tue(?:s|sday|sdy)?|tuseday|teusday|wed(?:nesday|nsday|ensday)?|wensday|wendesday"
    r"|thu(?:rs?|rsday|rday|rsay)?|thrusday|fri(?:day|ady)?|firday|fryday|sat(?:urday|erday|arday|ruday)?"
    r"|sun(?:day|dey)?"
)
_WEEKDAY_STARTS: tuple[tuple[str, ...], ...] = (
    ("пон", "пн", "mo", "mu"), ("вт", "tu", "te"), ("ср", "we"), ("ч", "th"), ("пят", "пт", "fr", "fi"),
    ("суб", "сб", "sa"), ("вос", "вс", "su"),
)  # fmt: skip
RU_NEXT = r"следующ\w*|след\.?|будущ\w*"
RU_THIS = r"эт[оиуа]\w*|ближайш\w*|наступающ\w*"


def month_of(word: str) -> int:
    """The month number (1-12) of a month name or abbreviation in English or Russian."""
    if word[0] in "abcdefghijklmnopqrstuvwxyz":
        return __MONTH_KEYSEN.index(word[:3]) + 1
    if word.startswith("мар"):
        return 3
    return next(i for i, key in enumerate(_MONTH_KEYS, 1) if word.startswith(key))


def weekday_of(word: str) -> int:
    """The weekday number (Monday is 0) of a weekday name or abbreviation in English or Russian."""
    return next(day for day, starts in enumerate(_WEEKDAY_STARTS) if word.startswith(starts))


def future_date(today: date, month: int, day: int, year: str | None = None) -> date | None:
    """The date with `month` and `day`: in `year` when given, else the next one not before `today`."""
    try:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, month, day)
        for candidate_year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
            try:
                candidate = date(candidate_year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
    except ValueError:
        return None
    return None


def day_of_month(today: date, day: int) -> date | None:
    """The next date (from `today` on) that falls on `day` of its month ("15-го")."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(4):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def ordinal_day(match: re.Match[str]) -> int | None:
    """The day number of an ordinal word matched by `ORD_RU` or `ORD_EN` ("двадцать пятого" → 25)."""
    if match.groupdict().get("stem"):
        return _ORDINAL_STEMS[match["stem"]] + (
            20 if match["tens"] == "двадцать" else 30 if match["tens"] else 0
        )
    if match.groupdict().get("word_en"):
        tens = match["tens_en"]
        return _ORDINALS_EN[match["word_en"]] + (20 if tens == "twenty" else 30 if tens else 0)
    return None
