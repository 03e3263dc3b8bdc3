"""Splitting a message into clauses, to notice a second request in it.

"Book me for Friday, and how much is it?" has two clauses; each is classified on
its own, and a clause whose intent differs clearly from the whole message's
becomes an extra intent.
"""

from __future__ import annotations

import re

from agents.understanding.offline.text import words

_SENTENCE = re.compile(r"[.!?;:\n]+|\s[-–—]\s|\)\s|\s\(")
_CONJUNCTION = re.compile(
    r",?\s+(?:and\s+also|and|also|plus|btw|by\s+the\s+way|as\s+well\s+as|another\s+thing|oh\s+and"
    r"|а\s+также|а\s+ещ[её]|и\s+ещ[её]|ещ[её]|и|также|тоже|кстати|плюс|а\s+так\s+же|заодно|а)\s+",
    re.IGNORECASE,
)
_COMMA = re.compile(r",\s+")
_MIN_WORDS = 2


def split_clauses(text: str, min_words: int = _MIN_WORDS) -> list[str]:
    """The clauses of `text` that have at least `min_words` words, in order.

    Splits on sentence punctuation, on "and / also / plus / btw" and
    "и / а ещё / также / кстати / плюс", and on commas between longer parts.
    """
    clauses: list[str] = []
    for sentence in _SENTENCE.split(text):
        for part in _CONJUNCTION.split(sentence):
            pieces = _COMMA.split(part)
            if all(len(words(piece)) >= 3 for piece in pieces):
                clauses.extend(pieces)
            else:
                clauses.append(part)
    return [clause.strip(" ,") for clause in clauses if len(words(clause)) >= min_words]
