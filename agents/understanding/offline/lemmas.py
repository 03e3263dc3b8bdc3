"""Word lemmas: pymorphy3 for Russian, light normalisation for English.

Russian words are reduced to their dictionary form ("записаться", "записали" ->
"записать"); English words lose contractions and common inflection endings
("cancelled" -> "cancel", "charges" -> "charg"). Messenger shorthand is expanded
first in both languages ("скок" -> "сколько", "pls" -> "please").
"""

from __future__ import annotations

import functools
from typing import Protocol, cast

from agents.understanding.offline.text import is_cyrillic, words


class _Parse(Protocol):
    normal_form: str


class _Analyzer(Protocol):
    def parse(self, word: str) -> list[_Parse]: ...


_SHORTHAND: dict[str, tuple[str, ...]] = {
    # English
    "u": ("you",),
    "ur": ("your",),
    "r": ("are",),
    "pls": ("please",),
    "plz": ("please",),
    "pleas": ("please",),
    "thx": ("thanks",),
    "thanx": ("thanks",),
    "ty": ("thank", "you"),
    "tmrw": ("tomorrow",),
    "tmr": ("tomorrow",),
    "tmrow": ("tomorrow",),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("have", "to"),
    "lemme": ("let", "me"),
    "dont": ("do", "not"),
    "cant": ("can", "not"),
    "wont": ("will", "not"),
    "didnt": ("did", "not"),
    "doesnt": ("does", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "wasnt": ("was", "not"),
    "couldnt": ("could", "not"),
    "wouldnt": ("would", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "whats": ("what", "is"),
    "wheres": ("where", "is"),
    "hows": ("how", "is"),
    "asap": ("soon",),
    # Russian
    "скок": ("сколько",),
    "скока": ("сколько",),
    "скоко": ("сколько",),
    "сколка": ("сколько",),
    "спс": ("спасибо",),
    "пасиб": ("спасибо",),
    "пасибо": ("спасибо",),
    "спасибки": ("спасибо",),
    "пж": ("пожалуйста",),
    "пжл": ("пожалуйста",),
    "пжлст": ("пожалуйста",),
    "пожалуйсто": ("пожалуйста",),
    "плз": ("пожалуйста",),
    "плиз": ("пожалуйста",),
    "щас": ("сейчас",),
    "ща": ("сейчас",),
    "че": ("что",),
    "чо": ("что",),
    "шо": ("что",),
    "оч": ("очень",),
    "норм": ("нормально",),
    "здрасьте": ("здравствуйте",),
    "здрасте": ("здравствуйте",),
    "здравствуй": ("здравствуйте",),
    "зп": ("зарплата",),
    "кп": ("коммерческий", "предложение"),
    "окей": ("ok",),
    "ок": ("ok",),
}

_CONTRACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("n't", ("not",)),
    ("'re", ("are",)),
    ("'ve", ("have",)),
    ("'ll", ("will",)),
    ("'m", ("am",)),
    ("'d", ("would",)),
    ("'s", ()),
)
_IRREGULAR = {"can't": ("can", "not"), "won't": ("will", "not"), "ain't": ("is", "not")}
_KEEP_S = ("ss", "us", "is", "ys")


@functools.cache
def _analyzer() -> _Analyzer:
    import pymorphy3

    return cast(_Analyzer, pymorphy3.MorphAnalyzer())


@functools.lru_cache(maxsize=100_000)
def lemma_ru(word: str) -> str:
    """The dictionary form of the Russian `word` (lower case)."""
    parses = _analyzer().parse(word)
    return parses[0].normal_form.replace("ё", "е") if parses else word


@functools.lru_cache(maxsize=100_000)
def stem_en(word: str) -> str:
    """A light stem of the English `word`: common endings stripped, doubled final letters undone."""
    stem = word
    verbal = False
    if len(stem) > 4 and stem.endswith("ies"):
        stem = stem[:-3] + "y"
    elif len(stem) > 5 and stem.endswith("ing"):
        stem, verbal = stem[:-3], True
    elif len(stem) > 4 and stem.endswith("ed"):
        stem, verbal = stem[:-2], True
    elif len(stem) > 3 and stem.endswith("s") and not stem.endswith(_KEEP_S):
        stem = stem[:-1]
        if stem.endswith("e") and stem[-2:-1] in {"h", "x", "s"}:
            stem = stem[:-1]
    if verbal and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeious":
        stem = stem[:-1]
    if len(stem) > 3 and stem.endswith("e"):
        stem = stem[:-1]
    return stem


def _expand(word: str) -> tuple[str, ...]:
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending, replacement in _CONTRACTIONS:
        if word.endswith(ending) and len(word) > len(ending):
            return (word[: -len(ending)], *replacement)
    return (word,)


def lemma(word: str) -> str:
    """The lemma of one normalised `word`: Russian dictionary form or English light stem; digits as is."""
    if any(is_cyrillic(char) for char in word):
        return lemma_ru(word)
    if word.isalpha():
        return stem_en(word)
    return word


def lemmatize(text: str) -> list[str]:
    """The lemmas of the words of `text`, shorthand expanded, in order (mixed languages are fine)."""
    return [lemma(part) for word in words(text) for part in _expand(word)]
