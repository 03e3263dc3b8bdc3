"""Russian morphology through pymorphy3: one analyzer per process, cached lemmas."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Protocol, cast

import pymorphy3

_CYRILLIC = re.compile(r"[а-я]")


class _Parse(Protocol):
    """One reading of a word."""

    normal_form: str
    score: float
    tag: object


class _Analyzer(Protocol):
    """The part of `pymorphy3.MorphAnalyzer` used here."""

    def parse(self, word: str) -> list[_Parse]:
        """Every reading of `word`, likeliest first."""
        ...

    def word_is_known(self, word: str) -> bool:
        """Whether `word` is in the dictionary."""
        ...


@cache
def analyzer() -> _Analyzer:
    """The shared pymorphy3 analyzer (built once; it takes a moment)."""
    return cast(_Analyzer, pymorphy3.MorphAnalyzer())


def _english_stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """Dictionary forms `word` may have (several when ambiguous); a simple stem for Latin words."""
    if not _CYRILLIC.search(word) or len(word) < 3:
        return frozenset({_english_stem(word)})
    parses = analyzer().parse(word)
    return frozenset(parse.normal_form.replace("ё", "е") for parse in parses[:4]) | {word}


@lru_cache(maxsize=65536)
def best_lemma(word: str) -> str:
    """The dictionary form of `word`'s likeliest reading (a simple stem for Latin words)."""
    if not _CYRILLIC.search(word) or len(word) < 3:
        return _english_stem(word)
    return analyzer().parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=8192)
def name_kind(word: str) -> str | None:
    """``name``, ``surname`` or ``patronymic`` when pymorphy3 knows `word` as one, else None."""
    if not _CYRILLIC.search(word):
        return None
    morph = analyzer()
    if not morph.word_is_known(word):
        return None
    for parse in morph.parse(word):
        if parse.score < 0.1:
            continue
        tag = str(parse.tag)
        if "Name" in tag:
            return "name"
        if "Surn" in tag:
            return "surname"
        if "Patr" in tag:
            return "patronymic"
    return None


@lru_cache(maxsize=8192)
def is_known_word(word: str) -> bool:
    """Whether `word` is in the Russian dictionary (for rejecting ordinary words as names)."""
    return bool(_CYRILLIC.search(word)) and analyzer().word_is_known(word)
