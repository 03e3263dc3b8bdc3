"""Which language a message is in: English or Russian.

Cyrillic against Latin letters decides. Russian typed in Latin letters
("privet skolko stoit") is recognised by a small lexicon of common transliterated
words, and `to_cyrillic` turns it back into Cyrillic so the Russian model can read it.
Messages without letters (emoji, digits, punctuation) get the default.
"""

from __future__ import annotations

import re
from typing import Literal

from agents.understanding.offline.text import is_cyrillic, is_latin, words

Language = Literal["en", "ru"]
"""A language the offline understanding reads."""

_TRANSLIT_WORDS = frozenset(
    words(
        """
    privet privetik zdravstvuyte zdravstvuite zdrastvuyte zdrasti zdraste zdravstvujte dobryy
    dobriy dobryi dobroe dobrii utro vecher spasibo spasib pozhaluysta pozhaluista pojaluista
    pozhalujsta pzh skolko skoka skok skolka stoit stoimost pochem tsena cena ceny tseny mozhno
    mojno hochu khochu zapisat zapisatsya zapisatsa zapishite zapisatca zapis zapisi nuzhno nuzhen
    nuzhna nado segodnya segodnia zavtra kogda gde moy moi moj zakaz zakaza dostavka dostavku
    vernut dengi otmenite otmenit perenesti perenesite pomenyat rabotaete rabotaet vas vam vy menya
    mne mozhete skazhite podskazhite eto chto chto-to kak pochemu tolko ochen horosho khorosho
    ladno poka dosvidaniya svidaniya nezachto operator cheloveka chelovek menedzhera menedzher
    otpishite otpisatsya pishite bolshe sdelat sdelaite uslugi usluga ceni skidka skidki vopros
    voprosy est netu seychas sejchas dnya nedelyu subbotu pyatnicu ponedelnik vtornik sredu
    chetverg voskresenye utrom vecherom obeda
        """
    )
)
_ENGLISH_WORDS = frozenset(
    words(
        """
    the a an is are am was be to of in on at for and or but my your you i me we it this that what
    how much can do does did have has will would please want need book price hi hello thanks thank
    where when why who order ok yes no not with from
        """
    )
)
_TRANSLIT_MARKERS = re.compile(r"(?:zh|kh|shch|sch|ts|yy|iy|yu|ya)")

_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "е"),
    ("ye", "е"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("y", "ы"),
)
_LETTERS: dict[str, str] = {
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "j": "й",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т",
    "u": "у", "f": "ф", "h": "х", "c": "ц", "w": "в", "q": "к", "x": "кс",
}  # fmt: skip


_NOT_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S*\d\S*")
"""Emails, links and codes with digits (order numbers, phones) say nothing about the language."""


def detect_language(text: str, default: Language = "en") -> Language:
    """Return ``ru`` or ``en`` for `text`; `default` when it has no letters or is evenly split.

    Emails, links and codes with digits ("LM-04217") are left out of the count.
    """
    words = _NOT_LANGUAGE.sub(" ", text)
    text = words if any(char.isalpha() for char in words) else text
    cyrillic = sum(1 for char in text if is_cyrillic(char))
    latin = sum(1 for char in text if is_latin(char))
    if cyrillic == 0 and latin == 0:
        return default
    if cyrillic > latin:
        return "ru"
    if cyrillic == 0 and looks_transliterated(text):
        return "ru"
    if latin > cyrillic:
        return "en"
    return default


def looks_transliterated(text: str) -> bool:
    """Whether Latin-letter `text` reads as transliterated Russian ("privet, skolko stoit")."""
    tokens = [token for token in words(text) if token.isalpha()]
    if not tokens:
        return False
    russian = sum(1 for token in tokens if token in _TRANSLIT_WORDS)
    english = sum(1 for token in tokens if token in _ENGLISH_WORDS)
    if russian == 0:
        return False
    if russian > english:
        return True
    markers = sum(1 for token in tokens if _TRANSLIT_MARKERS.search(token) and token not in _ENGLISH_WORDS)
    return russian + markers > english * 2


def to_cyrillic(text: str) -> str:
    """Transliterate Latin letters in `text` to Cyrillic (approximately; good enough for n-grams)."""
    out: list[str] = []
    lowered = text.lower()
    index = 0
    while index < len(lowered):
        for latin, cyrillic in _DIGRAPHS:
            if lowered.startswith(latin, index):
                out.append(cyrillic)
                index += len(latin)
                break
        else:
            char = lowered[index]
            out.append(_LETTERS.get(char, char))
            index += 1
    return "".join(out)
