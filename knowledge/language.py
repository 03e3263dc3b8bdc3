"""Which language a document or a question is in: English or Russian.

Documents say it with their folder (``kb/en/…``, ``kb/ru/…``); anything else is
decided by the share of Cyrillic among its letters.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from tools.playbook._types import SUPPORTED_LANGUAGES, Language

CYRILLIC_SHARE = 0.3
"""Text whose letters are at least this share Cyrillic is Russian.

Russian documents quote Latin brand names, URLs and e-mail addresses; English ones
almost never contain Cyrillic, so the bar sits well below one half.
"""


def is_cyrillic(char: str) -> bool:
    """Whether `char` is a Cyrillic letter."""
    return "\u0400" <= char <= "\u04ff"


def detect_language(text: str, default: Language = "en") -> Language:
    """Return ``ru`` when at least `CYRILLIC_SHARE` of the letters in `text` are Cyrillic, else ``en``.

    `default` is returned for text without letters (digits, emoji, punctuation).
    """
    letters = 0
    cyrillic = 0
    for char in text:
        if char.isalpha():
            letters += 1
            cyrillic += is_cyrillic(char)
    if letters == 0:
        return default
    return "ru" if cyrillic / letters >= CYRILLIC_SHARE else "en"


def language_from_path(path: str) -> Language | None:
    """The language named by a folder of `path` (``kb/ru/faq.md`` → ``ru``), the innermost one winning."""
    for part in reversed(PurePosixPath(path).parts[:-1]):
        name = part.lower()
        for language in SUPPORTED_LANGUAGES:
            if name == language:
                return language
    return None


def parse_language(value: str) -> Language:
    """Check a language code given by a person (``en`` or ``ru``) and return it typed."""
    code = value.strip().lower()
    for language in SUPPORTED_LANGUAGES:
        if code == language:
            return language
    raise ValueError(f"unknown language {value!r}: use one of {', '.join(SUPPORTED_LANGUAGES)}")
