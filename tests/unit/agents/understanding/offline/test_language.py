"""Language detection: Cyrillic against Latin letters, transliterated Russian, no letters at all."""

from __future__ import annotations

import pytest

from agents.understanding.offline import Language, detect_language, looks_transliterated, to_cyrillic
from evals.nlu.routing import LANGUAGES, load_cases


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("скок стоит", "en", "ru"),
        ("можно записаца на завтра", "en", "ru"),
        ("где мой заказ LM-04217???", "en", "ru"),
        ("хочу вернуть деньги за iPhone", "en", "ru"),
        ("how much is a haircut", "ru", "en"),
        ("where is my order???", "ru", "en"),
        ("ok thx", "ru", "en"),
        ("we'd like to partner", "ru", "en"),
        ("privet skolko stoit", "en", "ru"),
        ("zdravstvuyte, mozhno zapisatsya na zavtra?", "en", "ru"),
        ("spasibo bolshoe", "en", "ru"),
        ("hochu vernut dengi", "en", "ru"),
        ("cancel my booking", "en", "en"),
        ("hi, is it expensive?", "ru", "en"),
        ("👍👍", "ru", "ru"),
        ("👍", "en", "en"),
        ("12345", "ru", "ru"),
        ("+7 916 123-45-67", "en", "en"),
        ("???", "ru", "ru"),
        ("", "en", "en"),
    ],
)
def test_detect_language(text: str, default: Language, expected: Language) -> None:
    assert detect_language(text, default) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("privet skolko stoit", True),
        ("mozhno zapisatsya", True),
        ("spasibo", True),
        ("how much is it", False),
        ("the price please", False),
        ("stop", False),
    ],
)
def test_looks_transliterated(text: str, expected: bool) -> None:
    assert looks_transliterated(text) is expected


def test_to_cyrillic_reads_common_words() -> None:
    assert to_cyrillic("privet skolko stoit") == "привет сколко стоит"
    assert to_cyrillic("mozhno") == "можно"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_held_out_message_is_detected_in_its_language(language: Language) -> None:
    other: Language = "en" if language == "ru" else "ru"
    wrong = [case.text for case in load_cases(language) if detect_language(case.text, other) != language]
    assert wrong == []
