"""Negative tone: angry messages are flagged, calm and polite ones are not."""

from __future__ import annotations

import pytest

from agents.understanding.offline import Language, is_negative


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("this is terrible", "en"),
        ("worst service ever", "en"),
        ("you guys are a scam", "en"),
        ("this is ridiculous, third time i'm writing", "en"),
        ("still waiting!!!", "en"),
        ("WHERE IS MY ORDER", "en"),
        ("absolutely unacceptable", "en"),
        ("i'm fed up with your delays", "en"),
        ("wtf is going on", "en"),
        ("disappointed and annoyed", "en"),
        ("how many times do i have to ask", "en"),
        ("ужас", "ru"),
        ("это безобразие", "ru"),
        ("верните деньги немедленно", "ru"),
        ("отвратительно", "ru"),
        ("это уже третий раз", "ru"),
        ("сколько можно ждать?!", "ru"),
        ("вы издеваетесь?", "ru"),
        ("мошенники", "ru"),
        ("ГДЕ МОЙ ЗАКАЗ", "ru"),
        ("обслуживание отстой", "ru"),
        ("до сих пор жду!!!", "ru"),
        ("очень недоволен, опять опоздали", "ru"),
        ("напишу жалобу в роспотребнадзор", "ru"),
    ],
)
def test_negative(text: str, language: Language) -> None:
    assert is_negative(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("no problem", "en"),
        ("no worries, take your time", "en"),
        ("not bad at all", "en"),
        ("thanks!!!", "en"),
        ("where is my order???", "en"),
        ("HUMAN", "en"),
        ("terribly sorry to bother you", "en"),
        ("tell me a joke", "en"),
        ("how much is a haircut", "en"),
        ("i want my money back", "en"),
        ("не страшно", "ru"),
        ("ничего страшного", "ru"),
        ("без проблем", "ru"),
        ("спасибо!!!", "ru"),
        ("хочу вернуть деньги", "ru"),
        ("где мой заказ???", "ru"),
        ("опять", "ru"),
        ("неплохо", "ru"),
        ("ОК", "ru"),
        ("можно записаться на завтра", "ru"),
        ("через сколько можно ходить по полу", "ru"),
        ("how many times a week should i come", "en"),
    ],
)
def test_not_negative(text: str, language: Language) -> None:
    assert not is_negative(text, language)


def test_the_other_languages_words_count_too() -> None:
    assert is_negative("this is ужас", "en")
    assert is_negative("это scam", "ru")
