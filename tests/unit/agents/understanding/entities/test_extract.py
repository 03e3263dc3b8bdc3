"""Whole messages: several entities at once, run-on and mixed-language text, and hostile input."""

from __future__ import annotations

import time as clock
from datetime import date, time
from decimal import Decimal

import pytest

from agents.understanding.model import Choice, ChoiceKind, DayPart, Entities

from .support import extract


def test_date_time_phone_and_budget_together() -> None:
    entities = extract(
        "Здравствуйте, нужен ремонт ванной под ключ, бюджет до 500 тыс, можно замерщика в субботу в 11? "
        "Мой номер +7 (916) 123-45-67",
        business="renovation",
    )
    assert [(m.day, m.at) for m in entities.dates] == [(date(2027, 3, 6), time(11))]
    assert [(m.amount, m.bound) for m in entities.money] == [(Decimal(500000), "max")]
    assert entities.phone == "+79161234567"
    assert {m.id for m in entities.catalog} >= {"bathroom-turnkey", "site-visit"}


def test_english_booking_with_everything() -> None:
    entities = extract(
        "Hi, I'm Kate Miller. Could I book a gel manicure next Friday at 3pm for 2 people? "
        "Budget up to $100. Call me on +1 415 555 2671 or write to kate@example.com",
        language="en",
    )
    assert entities.name == "Kate Miller"
    assert [(m.day, m.at) for m in entities.dates] == [(date(2027, 3, 12), time(15))]
    assert [(q.value, q.unit) for q in entities.quantities] == [(Decimal(2), "people")]
    assert [(m.amount, m.currency, m.bound) for m in entities.money] == [(Decimal(100), "USD", "max")]
    assert (entities.phone, entities.email) == ("+14155552671", "kate@example.com")
    assert entities.catalog[0].id == "gel-polish"


def test_long_run_on_message() -> None:
    entities = extract(
        "добрый вечер хотела узнать можно ли записаться на окрашивание корней и стрижку кончиков "
        "завтра после обеда или послезавтра утром а то в выходные никак меня зовут светлана "
        "мой телефон 89261112233 и почта sveta.k@mail.ru заранее спасибо"
    )
    assert [(m.day, m.day_part) for m in entities.dates] == [
        (date(2027, 3, 2), DayPart.AFTERNOON),
        (date(2027, 3, 3), DayPart.MORNING),
        (date(2027, 3, 6), None),
    ]
    assert (entities.name, entities.phone, entities.email) == ("Светлана", "+79261112233", "sveta.k@mail.ru")
    assert {m.id for m in entities.catalog} >= {"coloring", "haircut-women"}


def test_typos_and_informal_speech() -> None:
    entities = extract("хачу маникур зафтра вечерком, 8-916-123-45-67")
    assert entities.catalog[0].id == "manicure"
    assert [(m.day, m.day_part) for m in entities.dates] == [(date(2027, 3, 2), DayPart.EVENING)]
    assert entities.phone == "+79161234567"


def test_mixed_languages() -> None:
    entities = extract("Можно на manicure tomorrow в 15:00? Я Anna")
    assert entities.catalog[0].id == "manicure"
    assert [(m.day, m.at) for m in entities.dates] == [(date(2027, 3, 2), time(15))]
    assert entities.name == "Anna"


def test_renovation_lead() -> None:
    entities = extract(
        "трешка 75 кв.м в Химках, хотим капремонт квартиры, бюджет от 1,5 до 2 млн, начать через 2 недели",
        business="renovation",
    )
    assert [(q.value, q.unit) for q in entities.quantities] == [(Decimal(3), "rooms"), (Decimal(75), "m2")]
    assert [(m.amount, m.bound) for m in entities.money] == [
        (Decimal(1500000), "min"),
        (Decimal(2000000), "max"),
    ]
    assert [m.day for m in entities.dates] == [date(2027, 3, 15)]
    assert {m.id for m in entities.catalog} >= {"khimki", "capital-renovation"}


def test_a_choice_with_a_date_is_still_a_choice() -> None:
    entities = extract("да, давайте завтра в 15:00", offered=(time(15),))
    assert entities.choice == Choice(ChoiceKind.TIME, at=time(15))


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "😍", "\n\n", "...", "?!", "\u200b"])
def test_empty_and_emoji_only(text: str) -> None:
    assert extract(text) == Entities()


def test_a_thumbs_up_is_yes() -> None:
    assert extract("👍").choice == Choice(ChoiceKind.YES)


@pytest.mark.parametrize(
    "text",
    [
        "9" * 500,
        "+" * 300 + "7" * 300,
        "в " * 2000,
        "до 12 " * 500,
        "а" * 10_000,
        "м2 кв 1 2 3 4 5 6 7 8 9 0 " * 300,
        "\x00\x01\x02 <script>alert(1)</script> " * 100,
        "ЗаВтРа В 15:00 ИЛИ ПОСЛЕЗАВТРА" * 50,
    ],
)
def test_garbage_does_not_crash(text: str) -> None:
    assert isinstance(extract(text), Entities)


def test_ten_thousand_characters_are_fast() -> None:
    sentence = (
        "Хочу записаться на стрижку и маникюр завтра в 15:00, бюджет 5 тыс, мой телефон 89161234567, "
        "I'm Anna, next Friday morning works too. "
    )
    text = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    extract(sentence)
    started = clock.perf_counter()
    entities = extract(text)
    elapsed = clock.perf_counter() - started
    assert elapsed < 0.5, f"{elapsed:.3f} s"
    assert entities.phone == "+79161234567"
    assert entities.dates


def test_a_typical_message_takes_milliseconds() -> None:
    text = "Здравствуйте! Можно записаться на маникюр с покрытием завтра после обеда? Анна, 8 916 123-45-67"
    extract(text)
    started = clock.perf_counter()
    for _ in range(50):
        extract(text)
    assert (clock.perf_counter() - started) / 50 < 0.02
