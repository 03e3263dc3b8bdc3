"""Choices: ordinals, offered times, yes and no."""

from __future__ import annotations

from datetime import time

import pytest

from agents.understanding.entities import parse_choice
from agents.understanding.model import Choice, ChoiceKind

from .support import context, extract

OFFERED = (time(11), time(15), time(17, 30))


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("второй", 1),
        ("второй вариант", 1),
        ("давайте первый", 0),
        ("the second one", 1),
        ("the last one", -1),
        ("последний", -1),
        ("#2", 1),
        ("вариант 3", 2),
        ("option 1 please", 0),
        ("3rd one", 2),
        ("втарой", 1),
        ("пирвый", 0),
        ("паследний", -1),
    ],
)
def test_ordinals(text: str, index: int) -> None:
    assert parse_choice(text, context=context()) == Choice(ChoiceKind.ORDINAL, index=index)


@pytest.mark.parametrize(("text", "index"), [("2", 1), ("1.", 0), ("давайте 3", 2), ("5", 4)])
def test_bare_numbers_are_ordinals_only_when_a_choice_was_asked(text: str, index: int) -> None:
    assert parse_choice(text, context=context(expecting="choice")) == Choice(ChoiceKind.ORDINAL, index=index)
    without = parse_choice(text, context=context())
    assert without is None or without.kind is not ChoiceKind.ORDINAL


def test_large_bare_numbers_are_not_ordinals() -> None:
    assert parse_choice("7", context=context(expecting="choice")) is None


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("the 3pm one", time(15)),
        ("в 15:00 подходит", time(15)),
        ("давайте на 11", time(11)),
        ("5:30 pm works", time(17, 30)),
        ("в 3 можно?", time(15)),
    ],
)
def test_offered_times(text: str, at: time) -> None:
    assert extract(text, offered=OFFERED).choice == Choice(ChoiceKind.TIME, at=at)


def test_a_time_that_was_not_offered_is_not_a_choice_of_time() -> None:
    assert extract("давайте на 12", offered=OFFERED).choice != Choice(ChoiceKind.TIME, at=time(12))


@pytest.mark.parametrize(
    "text",
    [
        "да",
        "Да, подходит",
        "ага",
        "ок",
        "окей",
        "давайте",
        "подходит",
        "yes",
        "yep",
        "sure",
        "ok",
        "sounds good",
        "👍",
        "no problem",
    ],
)
def test_yes(text: str) -> None:
    assert parse_choice(text, context=context()) == Choice(ChoiceKind.YES)


@pytest.mark.parametrize(
    "text",
    ["нет", "не", "неа", "не подходит", "no", "nope", "No, thanks", "нет, спасибо", "это время не подходит"],
)
def test_no(text: str) -> None:
    assert parse_choice(text, context=context()) == Choice(ChoiceKind.NO)


@pytest.mark.parametrize(
    "text",
    [
        "не знаю",
        "not sure",
        "Не подскажете цену?",
        "сколько стоит маникюр?",
        "It was my first time",
        "в последнее время болит спина, можно массаж?",
        "во вторник",
    ],
)
def test_no_choice(text: str) -> None:
    assert parse_choice(text, context=context()) is None
