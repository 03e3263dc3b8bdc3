"""Text normalisation shared by the offline understanding parts.

Messenger text is lower-cased, ``ё`` is folded to ``е``, letters repeated three or
more times are squeezed to two ("hellooo" -> "helloo", "ну пожаалуйста"), and words
are runs of letters and digits (an apostrophe inside a word is kept: "don't").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_REPEATS = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=1024)
def normalize(text: str) -> str:
    """Return `text` case-folded, NFKC-normalised, with ``ё`` -> ``е`` and long letter repeats squeezed.

    Cached: one message is normalised by every offline part (classifier, repair, tone, entities).
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = folded.replace("’", "'")
    return _REPEATS.sub(r"\1\1", folded)


def words(text: str) -> list[str]:
    """Return the normalised words of `text` (letters and digits, apostrophes kept inside words)."""
    return _WORD.findall(normalize(text))


def clean(text: str) -> str:
    """Return the normalised words of `text` joined by single spaces (punctuation dropped)."""
    return " ".join(words(text))


def is_cyrillic(char: str) -> bool:
    """Whether `char` is a Cyrillic letter."""
    return "\u0400" <= char <= "\u04ff"


def is_latin(char: str) -> bool:
    """Whether `char` is a basic Latin letter."""
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


_FUNCTION_WORDS = frozenset(
    words(
        """
        i me my you your we our us a an the is are am was it its to for of and or so be do does did can
        could would will please pls hi hey hello also but just in on at with this that there here
        я мне меня мой моя мое мои вы вас вам ваш мы нас наш и а но в во на с со к по за из у о это то
        же ли бы пожалуйста можно еще тоже так вот привет здравствуйте
        """
    )
)


def content_words(text: str) -> list[str]:
    """The normalised words of `text` without pronouns, articles, prepositions and other function words."""
    return [word for word in words(text) if word not in _FUNCTION_WORDS]
