"""Text analysis for the lexical index: words → index terms, the same way for documents and questions.

* Russian words become their lemma through pymorphy3 (``сертификата`` → ``сертификат``,
  ``отменить`` stays ``отменить``), so inflected questions meet the documents' wording.
* English words are lowercased and lose a plural ending (`english_term`); a
  stronger stemmer (``-ing``/``-ed``/``-ion``) was measured on the labelled sets and did not
  help (see docs/knowledge.md).
* Stopwords of both languages are dropped; ``ё`` is read as ``е``.

The morphological analyser loads its dictionaries once per process (about 0.1 s) and
lemmas are cached, so analysing a 10,000-chunk collection takes seconds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.language import is_cyrillic
from knowledge.stopwords import is_stopword

if TYPE_CHECKING:
    import pymorphy3

_WORD = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)
_MORPH_LOCK = threading.Lock()
_morph: pymorphy3.MorphAnalyzer | None = None
_VOWELS = frozenset("aeiouy")


def _analyser() -> pymorphy3.MorphAnalyzer:
    """The one pymorphy3 analyser of this process, created on first use."""
    global _morph
    if _morph is None:
        with _MORPH_LOCK:
            if _morph is None:
                import pymorphy3

                _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=200_000)
def russian_lemma(word: str) -> str:
    """The most likely lemma of a lowercased Russian `word` (unknown words get pymorphy3's guess)."""
    lemma: str = _analyser().parse(word)[0].normal_form
    return lemma.replace("ё", "е")


@lru_cache(maxsize=200_000)
def english_term(word: str) -> str:
    """A lowercased English `word` without its plural or possessive ending: ``policies`` → ``policy``."""
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        stem = word[:-1]
        return stem if any(char in _VOWELS for char in stem) else word
    return word


def words(text: str) -> list[str]:
    """The lowercased words and numbers of `text`, ``ё`` read as ``е``."""
    found: list[str] = _WORD.findall(text.lower().replace("ё", "е"))
    return found


def term(word: str) -> str:
    """The index term of one lowercased word: its Russian lemma or its English singular."""
    if word.isdigit():
        return word
    if any(is_cyrillic(char) for char in word):
        return russian_lemma(word)
    return english_term(word)


@lru_cache(maxsize=500_000)
def indexed_term(word: str) -> str | None:
    """The index term of one lowercased word, or None for stopwords and one-letter words."""
    if (len(word) < 2 and not word.isdigit()) or is_stopword(word):
        return None
    lemma = term(word)
    return None if is_stopword(lemma) else lemma


def is_dictionary_word(word: str) -> bool:
    """Whether pymorphy3 knows the lowercased Russian `word` (so it is not a typo)."""
    known: bool = _analyser().word_is_known(word)
    return known


@dataclass(frozen=True)
class QueryTerm:
    """One term of a question."""

    term: str
    may_be_typo: bool
    """True for words no dictionary vouches for: the index may replace them by a term one typo away."""


def query_terms(text: str) -> list[QueryTerm]:
    """The terms of a question; numbers and Russian words pymorphy3 knows are never taken for typos."""
    result: list[QueryTerm] = []
    for word in words(text):
        if word.isdigit():
            result.append(QueryTerm(term=word, may_be_typo=False))
            continue
        if len(word) < 2 or is_stopword(word):
            continue
        lemma = term(word)
        if is_stopword(lemma):
            continue
        cyrillic = any(is_cyrillic(char) for char in word)
        result.append(QueryTerm(term=lemma, may_be_typo=not (cyrillic and is_dictionary_word(word))))
    return result


def terms_of(words: Iterable[str]) -> list[str]:
    """The index terms of already split `words`, in order."""
    return [lemma for word in words if (lemma := indexed_term(word)) is not None]


def terms(text: str) -> list[str]:
    """The index terms of `text` in order, without stopwords and one-letter words."""
    return terms_of(words(text))
