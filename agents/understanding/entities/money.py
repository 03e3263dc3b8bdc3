"""Money and budgets: "300к", "до 2 млн", "$5k", "€300", "от 100 до 200 тысяч", "budget is around 200000"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from agents.understanding.entities._normalize import Found, Text, plain, to_decimal
from agents.understanding.model import MoneyMention

_NUM = r"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?"
_WORD_AMOUNT = r"полтора|полторы|пол|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|сто|двести|триста|пятьсот|пару"
_MULT = (
    r"тыс(?:яч[аиу]?|\.|(?!\w))|тыщ\w*|тыр|т\.\s?р\.?|млн\.?|миллион\w*|лям\w*|ляма|млрд\.?|mln|mn"
    r"|million|millions|thousand|grand|bn"
)
_CUR_BEFORE = r"\$|€|£|₽|us\$|usd|eur|rub|gbp|руб\.?"
_CUR_AFTER = r"₽|\$|€|£|руб\w*\.?|р\.|р(?!\w)|rub\w*|rur|usd|долл\w*|бакс\w*|евро|eur\w*|dollars?|bucks|euros?|pounds?|gbp"


def _amount_pattern(tag: str) -> str:
    return (
        rf"(?:(?P<cb{tag}>{_CUR_BEFORE})\s*)?(?P<n{tag}>{_NUM}|(?<!\w)(?:{_WORD_AMOUNT})(?=\s*(?:{_MULT})))"
        rf"(?:\s*(?P<x{tag}>{_MULT})|(?P<k{tag}>[кk]|m)(?!\w)(?!\s*(?:кв|комн|room|bed|br(?!\w)|flat|apart)))?(?:\s*(?P<ca{tag}>{_CUR_AFTER}))?(?!\w)"
    )


_MAX = (
    r"(?:до|не\s+больше|не\s+более|не\s+дороже|не\s+выше|максимум|макс\.?|max|up\s+to|under|below|less\s+than"
    r"|no\s+more\s+than|not\s+more\s+than|within|at\s+most|в\s+пределах|в\s+рамках)"
)
_MIN = (
    r"(?:от|from|over|more\s+than|at\s+least|не\s+меньше|не\s+менее|минимум|min|above|starting\s+(?:at|from)"
    r"|свыше|больше)"
)
_BOUND = re.compile(rf"(?:(?P<max>{_MAX})|(?P<min>{_MIN}))\s*(?:~|около|примерно|about|around)?\s*$")
_ONE = re.compile(rf"(?<![\w.,/:+-]){_amount_pattern('')}")
_RANGE = re.compile(
    rf"(?<![\w.,/:+-])(?:(?:от|from|between)\s+)?{_amount_pattern('1')}\s*(?:до|to|and|-|и)\s*{_amount_pattern('2')}"
)
_KEYWORD = re.compile(
    r"бюджет\w*|budget|рассчитыва\w*|потратить|заплатить|отдать|spend|afford|стоимост\w*|price|cost|pay|цен[аыу]"
)
_CONNECTOR_WORDS = (
    "is of was will be around about approximately roughly около примерно где-то где то порядка в районе"
    " составляет будет ну in the range на до от up to under max максимум не больше более less than no more at"
    " most least within"
)
_CONNECTORS = frozenset(_CONNECTOR_WORDS.split()) | frozenset(":~=—-")
_WINDOW_WORDS = re.compile(r"[\w-]+|[:~=—]")
_PRICE_FOR = re.compile(r"(?<!\w)(?:за|for|стоит|costs?|по)\s*$")
_BARE = re.compile(r"(?<![\w.,/:+-])(?P<n>\d{1,3}(?:[ ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?)(?![\w.,/:]?\d|\s*[%:])")
_CORRECTION_LINK = re.compile(
    r"\s*,?\s*(?:а|но|but|no|нет)\s*,?\s*(?:rather\s+|скорее\s+|где-то\s+|около\s+)?$"
)
_NOT_MONEY = re.compile(r"\s*(?:год|года|г\.|year|шаг|steps?|раз|times|этаж|floor)")

_MULTIPLIERS = (
    ("тыс", 1000), ("тыщ", 1000), ("тыр", 1000), ("т.", 1000), ("thousand", 1000), ("grand", 1000),
    ("млрд", 10**9), ("bn", 10**9), ("млн", 10**6), ("миллион", 10**6), ("лям", 10**6), ("mln", 10**6),
    ("mn", 10**6), ("million", 10**6),
)  # fmt: skip


def _currency(word: str | None) -> str | None:
    if not word:
        return None
    if word[0] in "₽р" or word.startswith(("rub", "rur")):
        return "RUB"
    if word[0] in "$" or word.startswith(("us", "дол", "бакс", "dollar", "buck")):
        return "USD"
    if word[0] == "€" or word.startswith(("eur", "евро")):
        return "EUR"
    if word[0] == "£" or word.startswith(("gbp", "pound")):
        return "GBP"
    return None


def _number(text: str, scaled: bool) -> Decimal | None:
    digits = text.strip()
    grouped = re.fullmatch(r"\d{1,3}(?:([ .,])\d{3})+(?:[.,]\d{1,2})?", digits)
    if grouped and not (scaled and grouped.group(1) in ".," and digits.count(grouped.group(1)) == 1):
        separator = grouped.group(1)
        head, _, tail = digits.rpartition(separator) if separator != " " else (digits, "", "")
        if separator != " " and len(tail) == 3:
            digits = digits.replace(separator, "")
        else:
            digits = digits.replace(" ", "")
    if digits == "пол":
        return Decimal("0.5")
    return to_decimal(digits)


def _amount(
    m: re.Match[str], tag: str, shared: tuple[str | None, str | None] = (None, None)
) -> tuple[Decimal, str | None] | None:
    groups = m.groupdict()
    mult = groups.get(f"x{tag}") or groups.get(f"k{tag}") or shared[0]
    currency = _currency(groups.get(f"cb{tag}") or groups.get(f"ca{tag}")) or _currency(shared[1])
    if mult == "m" and currency is None:
        return None
    value = _number(groups[f"n{tag}"], mult is not None)
    if value is None:
        return None
    if mult:
        factor = (
            1000
            if mult in "кk"
            else 10**6
            if mult == "m"
            else next(f for key, f in _MULTIPLIERS if mult.startswith(key))
        )
        value *= factor
        if mult.startswith(("тыр", "т.")):
            currency = currency or "RUB"
    return plain(value), currency


def _strong(m: re.Match[str], tag: str) -> bool:
    groups = m.groupdict()
    return any(groups.get(f"{key}{tag}") for key in ("cb", "ca", "x", "k"))


def _after_keyword(window: str) -> bool:
    """Whether `window` ends with "budget"/"бюджет" and similar, give or take "is around", "до"…"""
    for word in reversed(_WINDOW_WORDS.findall(window)[-8:]):
        if word not in _CONNECTORS:
            return _KEYWORD.fullmatch(word) is not None
    return False


def _bound(low: str, start: int) -> tuple[str | None, int]:
    """The bound word right before `start` ("до", "up to") and where it begins."""
    window = max(0, start - 30)
    found = _BOUND.search(low[window:start])
    if found is None:
        return None, start
    return ("max" if found["max"] else "min"), window + found.start()


def _end_of(m: re.Match[str], tag: str) -> int:
    return max(m.end(f"{key}{tag}") for key in ("cb", "n", "x", "k", "ca") if m.group(f"{key}{tag}"))


def _range(text: Text) -> Iterable[Found[MoneyMention]]:
    for m in _RANGE.finditer(text.low):
        if not (_strong(m, "1") or _strong(m, "2")):
            continue
        groups = m.groupdict()
        last = _amount(m, "2")
        first_value, last_value = _number(groups["n1"], True), _number(groups["n2"], True)
        shared_mult = groups.get("x2") or groups.get("k2")
        if _strong(m, "1") or first_value is None or last_value is None or first_value > last_value:
            shared_mult = None
        first = _amount(m, "1", (shared_mult, groups.get("cb2") or groups.get("ca2") or groups.get("cb1")))
        if first is None or last is None:
            continue
        currency = last[1] or first[1]
        first_end = _end_of(m, "1")
        second_start = (
            first_end + len(text.low[first_end : m.end()]) - len(text.low[first_end : m.end()].lstrip(" -"))
        )
        yield Found(
            m.start(),
            first_end,
            MoneyMention(text.snippet(m.start(), first_end), first[0], first[1] or currency, "min"),
        )
        yield Found(
            second_start, m.end(), MoneyMention(text.snippet(second_start, m.end()), last[0], currency, "max")
        )


def find_money(text: Text, *, weak: bool = False, expecting: str | None = None) -> list[Found[MoneyMention]]:
    """Amounts of money in `text`.

    By default only amounts that say they are money (a currency or "к", "тыс", "млн"); with `weak`,
    also bare numbers after "budget"/"бюджет", bare numbers of at least 1000 after "до"/"under",
    the corrected number of "бюджет не 7000, а 20000" / "budget 500, no, 800", and any bare number
    when the last question asked for a budget (`expecting`).
    """
    if not weak:
        found = list(_range(text))
        low = text.masked((item.start, item.end) for item in found).low
        for m in _ONE.finditer(low):
            if not _strong(m, ""):
                continue
            amount = _amount(m, "")
            if amount is None:
                continue
            bound, start = _bound(text.low, m.start())
            mention = MoneyMention(text.snippet(start, m.end()), amount[0], amount[1], bound)
            found.append(Found(start, m.end(), mention))
        return sorted(found, key=lambda item: item.start)
    results: list[Found[MoneyMention]] = []
    asked = expecting in {"budget", "price", "money", "amount"}
    for m in _BARE.finditer(text.low):
        digits = re.sub(r"\D", "", m["n"].split(".")[0].split(",")[0])
        if len(digits) >= 10 or _NOT_MONEY.match(text.low, m.end()):
            continue
        value = _number(m["n"], False)
        if value is None:
            continue
        bound, start = _bound(text.low, m.start())
        before = text.low[max(0, m.start() - 60) : m.start()]
        keyword = _after_keyword(before) or (value >= 100 and _PRICE_FOR.search(before) is not None)
        corrects = (
            bool(results) and _CORRECTION_LINK.fullmatch(text.low[results[-1].end : m.start()]) is not None
        )
        if not (keyword or asked or corrects or (bound and value >= 1000)):
            continue
        mention = MoneyMention(text.snippet(start, m.end()), value, None, bound)
        results.append(Found(start, m.end(), mention))
    return results


def parse_money(text: str, *, expecting: str | None = None) -> tuple[MoneyMention, ...]:
    """Amounts of money and budget bounds in `text` ("до 2 млн" → 2000000, bound ``max``)."""
    source = Text.of(text)
    strong = find_money(source)
    weak = find_money(
        source.masked((item.start, item.end) for item in strong), weak=True, expecting=expecting
    )
    return tuple(item.value for item in sorted(strong + weak, key=lambda item: item.start))
