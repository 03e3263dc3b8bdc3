"""Lemmas: pymorphy3 for Russian, light stemming and shorthand expansion for English."""

from __future__ import annotations

import pytest

from agents.understanding.offline import lemma, lemmatize
from agents.understanding.offline.lemmas import lemma_ru


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("скок стоит", ["сколько", "стоить"]),
        ("Запишите меня", ["записать", "я"]),
        ("заказы", ["заказ"]),
        ("спс пж", ["спасибо", "пожалуйста"]),
        ("ещё", ["еще"]),
        ("I cancelled my bookings", ["i", "cancel", "my", "booking"]),
        ("don't message me", ["do", "not", "messag", "me"]),
        ("thx u", ["thank", "you"]),
        ("shipping charges", ["ship", "charg"]),
        ("order 4521", ["order", "4521"]),
    ],
)
def test_lemmatize(text: str, expected: list[str]) -> None:
    assert lemmatize(text) == expected


def test_inflections_share_a_lemma() -> None:
    assert lemma("записаться") == lemma("записалась") == "записаться"
    assert lemma("charged") == lemma("charge") == lemma("charging")


def test_russian_lemmas_are_cached() -> None:
    lemma_ru.cache_clear()
    lemma_ru("доставка")
    lemma_ru("доставка")
    assert lemma_ru.cache_info().hits == 1
