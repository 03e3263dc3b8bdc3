"""Quantities (area, rooms, people, items, days) and durations in minutes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.understanding.entities import parse_durations, parse_quantities

from .support import extract


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("45 м2", "45", "m2"),
        ("45м²", "45", "m2"),
        ("45 кв.м", "45", "m2"),
        ("45 кв. м.", "45", "m2"),
        ("45 квадратов", "45", "m2"),
        ("45,5 квадратных метров", "45.5", "m2"),
        ("60 sq m", "60", "m2"),
        ("60m²", "60", "m2"),
        ("50 square meters", "50", "m2"),
        ("квартира 70 метров", "70", "m2"),
        ("3 комнаты", "3", "rooms"),
        ("3-комнатная", "3", "rooms"),
        ("трёшка", "3", "rooms"),
        ("ремонт в трешке", "3", "rooms"),
        ("двушка", "2", "rooms"),
        ("однушку", "1", "rooms"),
        ("двухкомнатная квартира", "2", "rooms"),
        ("квартира-студия", "0", "rooms"),
        ("2-bedroom flat", "2", "rooms"),
        ("two rooms", "2", "rooms"),
        ("на 5 человек", "5", "people"),
        ("for 4 people", "4", "people"),
        ("на двоих", "2", "people"),
        ("мы придём вдвоём", "2", "people"),
        ("2 шт", "2", "items"),
        ("3 pcs", "3", "items"),
        ("две штуки", "2", "items"),
        ("образцы на 7 дней", "7", "days"),
        ("for a week", "1", "weeks"),
    ],
)
def test_quantities(text: str, value: str, unit: str) -> None:
    (mention,) = parse_quantities(text)
    assert (mention.value, mention.unit) == (Decimal(value), unit)


@pytest.mark.parametrize(
    ("text", "expecting", "value", "unit"),
    [("45", "area_m2", "45", "m2"), ("3", "rooms", "3", "rooms"), ("студия", "rooms", "0", "rooms")],
)
def test_bare_numbers_when_asked(text: str, expecting: str, value: str, unit: str) -> None:
    (mention,) = parse_quantities(text, expecting=expecting)
    assert (mention.value, mention.unit) == (Decimal(value), unit)


@pytest.mark.parametrize(
    "text", ["Это студия красоты?", "ул. Ленина 15 кв 45", "у меня 2 детей", "мне 25 лет"]
)
def test_not_quantities(text: str) -> None:
    assert parse_quantities(text) == ()


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("на час", (60,)),
        ("90 минут", (90,)),
        ("1.5 hours", (90,)),
        ("1,5 часа", (90,)),
        ("полтора часа", (90,)),
        ("полчаса", (30,)),
        ("half an hour", (30,)),
        ("an hour and a half", (90,)),
        ("1 час 30 минут", (90,)),
        ("for 2 hours", (120,)),
        ("пару часов", (120,)),
        ("45 мин", (45,)),
        ("час-полтора", (60, 90)),
        ("в 3 часа", ()),
        ("через час", ()),
    ],
)
def test_durations(text: str, minutes: tuple[int, ...]) -> None:
    assert parse_durations(text) == minutes


def test_duration_next_to_a_clock_time() -> None:
    entities = extract("массаж на полтора часа завтра в 3 часа дня")
    assert entities.durations_minutes == (90,)
    assert [mention.at for mention in entities.dates][0] is not None
