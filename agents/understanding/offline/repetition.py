"""Noticing that the customer sent the same message again.

A repeat usually means the last reply missed the point. Two messages are the
same when, after normalisation (case, punctuation, ``ё``, stretched letters) and
without function words ("my", "the", "мой", "на") and filler ("please", "ещё раз"),
their words pair up one to one in any order, each pair equal or a typo apart
(similarity 0.75 or more, 0.6 for words that begin alike; numbers must be equal),
allowing one unpaired word in longer messages. Short acknowledgements ("ok", "да", "2") are never repeats:
answering two questions with "yes" is not repeating oneself.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from agents.understanding.offline.text import content_words, words

WORD_SIMILARITY = 0.75
"""How alike two words must be to pair up ("order" / "ordr")."""
STEM_SIMILARITY = 0.6
"""How alike two words sharing their first five letters must be ("записаться" / "записаца")."""
_STEM = 5
LOOKBACK = 5
"""How many of the most recent messages are compared."""
_LOOSE_FROM = 4
"""Messages of this many words or more may have one word without a pair."""

_ACKNOWLEDGEMENTS = frozenset(
    words(
        """
        ok okay k yes yeah yep yup no nope sure fine thanks thank you thx ty great cool good right alright
        ок окей ага угу да нет неа хорошо ладно понятно ясно спасибо спс благодарю отлично супер норм давайте
        """
    )
)
_FILLER = frozenset(words("please pls plz again once more пожалуйста пж плиз ну еще ещё раз повторяю снова"))


def _key(text: str) -> list[str]:
    kept = [word for word in content_words(text) if word not in _FILLER]
    return kept or words(text)


def _acknowledgement(tokens: list[str]) -> bool:
    return all(token in _ACKNOWLEDGEMENTS or token.isdigit() for token in tokens)


def _alike(first: str, second: str) -> bool:
    if first == second:
        return True
    if any(char.isdigit() for char in first + second):
        return False
    ratio = SequenceMatcher(None, first, second, autojunk=False).ratio()
    same_stem = len(first) >= _STEM and first[:_STEM] == second[:_STEM]
    return ratio >= (STEM_SIMILARITY if same_stem else WORD_SIMILARITY)


def _same(first: list[str], second: list[str]) -> bool:
    longest = max(len(first), len(second))
    allowed = 1 if longest >= _LOOSE_FROM else 0
    if abs(len(first) - len(second)) > allowed:
        return False
    unpaired = list(second)
    paired = 0
    for word in first:
        match = next((other for other in unpaired if _alike(word, other)), None)
        if match is not None:
            unpaired.remove(match)
            paired += 1
    return paired >= longest - allowed


def is_repeat(text: str, recent_customer_texts: Sequence[str]) -> bool:
    """Whether `text` repeats one of `recent_customer_texts` (the earlier messages, newest last).

    `recent_customer_texts` must not include `text` itself.
    """
    tokens = words(text)
    if not tokens or _acknowledgement(tokens):
        return False
    key = _key(text)
    for earlier in list(recent_customer_texts)[-LOOKBACK:]:
        other = _key(earlier)
        if other and _same(key, other):
            return True
    return False
