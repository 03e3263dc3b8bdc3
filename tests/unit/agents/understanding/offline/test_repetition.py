"""Repetition: the same message sent again, give or take case, punctuation and a typo."""

from __future__ import annotations

import pytest

from agents.understanding.offline import is_repeat


@pytest.mark.parametrize(
    ("text", "recent"),
    [
        ("где мой заказ???", ["где мой заказ"]),
        ("Где мой заказ", ["привет", "где мой заказ?"]),
        ("where is my order!!", ["hi", "where is my order?"]),
        ("where is my ordr", ["where is my order"]),
        ("HUMAN", ["human"]),
        ("оператор", ["оператор", "алло"]),
        ("сколько стоит стрижка", ["Сколько стоит стрижка?", "ok"]),
        ("my order where is it", ["where is it my order"]),
        ("можно записаться на завтра?", ["можно записаца на завтра"]),
        ("скок стоит", ["скок стоит!!!"]),
        ("ещё раз: где мой заказ", ["где мой заказ"]),
    ],
)
def test_repeat(text: str, recent: list[str]) -> None:
    assert is_repeat(text, recent)


@pytest.mark.parametrize(
    ("text", "recent"),
    [
        ("да", ["да"]),
        ("ok", ["ok"]),
        ("2", ["2"]),
        ("спасибо", ["спасибо"]),
        ("где мой заказ", ["где моя посылка"]),
        ("сколько стоит стрижка", ["сколько стоит окрашивание"]),
        ("where is my order", []),
        ("where is my order", ["how much is delivery"]),
        ("👍", ["👍"]),
        ("where is my order", ["where is my order", "a", "b", "c", "d", "e"]),
        ("запишите на 16:00", ["запишите на 15:00"]),
        ("сколько стоит маникюр", ["сколько стоит педикюр"]),
        ("book for friday", ["book for monday"]),
        ("можно на послезавтра", ["можно на завтра"]),
    ],
)
def test_not_repeat(text: str, recent: list[str]) -> None:
    assert not is_repeat(text, recent)
