"""Shared helpers: length-preserving folding, spans found in text, and numbers written in words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

T = TypeVar("T")

_TRANSLATE = str.maketrans(
    {
        "ё": "е",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
    }
)


def fold(text: str) -> str:
    """Lowercase `text`, fold ё to е and unify spaces, dashes and apostrophes.

    Every character stays at its index, so spans found in the folded text point
    at the same characters of the original.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    return lowered.translate(_TRANSLATE)


@dataclass(frozen=True)
class Text:
    """A message as written (`raw`) and folded (`low`), index-aligned."""

    raw: str
    low: str

    @classmethod
    def of(cls, raw: str) -> Text:
        """Fold `raw`."""
        return cls(raw, fold(raw))

    def snippet(self, start: int, end: int) -> str:
        """The original words between `start` and `end`, trimmed."""
        return self.raw[start:end].strip()

    def masked(self, spans: Iterable[tuple[int, int]]) -> Text:
        """A copy whose folded text has the given spans blanked out (so later parsers skip them)."""
        chars = list(self.low)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        return Text(self.raw, "".join(chars))


@dataclass(frozen=True)
class Found(Generic[T]):
    """Something a parser found at ``[start, end)`` of the message."""

    start: int
    end: int
    value: T


def spans(found: Iterable[Found[T]]) -> list[tuple[int, int]]:
    """The character spans of `found`."""
    return [(item.start, item.end) for item in found]


_UNITS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "couple": 2,
    "один": 1, "одна": 1, "одно": 1, "одну": 1, "одного": 1, "одной": 1,
    "два": 2, "две": 2, "двух": 2, "двое": 2, "пару": 2, "пара": 2, "пары": 2, "парочку": 2,
    "три": 3, "трех": 3, "трое": 3, "четыре": 4, "четырех": 4, "четверо": 4,
    "пять": 5, "пяти": 5, "пятеро": 5, "шесть": 6, "шести": 6, "шестеро": 6, "семь": 7, "семи": 7,
    "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10,
    "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15,
    "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70,
    "восемьдесят": 80, "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "пятьсот": 500,
}  # fmt: skip
_HALVES: dict[str, Decimal] = {"полтора": Decimal("1.5"), "полторы": Decimal("1.5")}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_SMALL_UNITS = [word for word, value in _UNITS.items() if value < 10 and word != "couple"]
WORD_NUMBER = (
    rf"(?:(?:{_alternation(_TENS)})(?:[\s-]+(?:{_alternation(_SMALL_UNITS)}))?"
    rf"|{_alternation(_UNITS)}|{_alternation(_HALVES)})"
)
"""A regex fragment for a number written in words (``two``, ``двадцать пять``, ``полтора``)."""

NUMBER = rf"(?:\d+(?:[.,]\d+)?|{WORD_NUMBER})"
"""A regex fragment for a number in digits (``1,5``) or words."""

_SPLIT = re.compile(r"[\s-]+")


def word_number(text: str) -> Decimal | None:
    """The value of a number written in words, or None."""
    words = [word for word in _SPLIT.split(text.strip().lower()) if word]
    if len(words) == 1 and words[0] in _HALVES:
        return _HALVES[words[0]]
    total = 0
    for word in words:
        if word in _TENS:
            total += _TENS[word]
        elif word in _UNITS:
            total += _UNITS[word]
        else:
            return None
    return Decimal(total) if words else None


def to_decimal(text: str) -> Decimal | None:
    """The value of a number in digits (``1,5``, ``100 000``) or words, or None."""
    compact = text.strip().replace(" ", "")
    if compact and compact[0].isdigit():
        try:
            return plain(Decimal(compact.replace(",", ".")))
        except InvalidOperation:
            return None
    return word_number(text)


def plain(value: Decimal) -> Decimal:
    """`value` without a trailing exponent or zeros (``Decimal("1.5E+6")`` → ``1500000``)."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def title_case(word: str) -> str:
    """Capitalise each part of a name (``анна-мария`` → ``Анна-Мария``, ``o'neil`` → ``O'Neil``)."""
    return re.sub(r"[^\W\d_]+", lambda part: part.group(0)[0].upper() + part.group(0)[1:].lower(), word)
