"""Phones, emails, order ids and names."""

from __future__ import annotations

import pytest

from agents.understanding.entities import (
    normalize_phone,
    parse_email,
    parse_name,
    parse_order_id,
    parse_phone,
)

from .support import extract


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("8 916 123-45-67", "+79161234567"),
        ("+7 (916) 123 45 67", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("мой номер 89161234567!", "+79161234567"),
        ("тел: 8(916)1234567", "+79161234567"),
        ("7-916-123-45-67", "+79161234567"),
        ("8 495 123 45 67", "+74951234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 415 555 2671", "+14155552671"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_in_russia(text: str, e164: str) -> None:
    found = parse_phone(text, region="RU")
    assert found is not None and found.e164 == e164


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("030 1234567", "DE", "+49301234567"),
        ("12345", "RU", None),
        ("+7 916 123", "RU", None),
    ],
)
def test_normalize_phone(raw: str, region: str, e164: str | None) -> None:
    assert normalize_phone(raw, region) == e164


def test_an_invalid_phone_is_kept_as_text() -> None:
    entities = extract("мой телефон 8916123")
    assert (entities.phone, entities.phone_text) == (None, "8916123")


def test_a_short_number_is_a_phone_attempt_only_when_a_phone_was_asked_for() -> None:
    assert extract("12345", expecting="phone").phone_text == "12345"
    assert extract("12345").phone_text is None


@pytest.mark.parametrize(
    "text",
    [
        "бюджет 1500000",
        "15.03.2027 в 15:00",
        "2027-03-15",
        "заказ LM-04217",
        "100 000 руб",
        "от 100 000 до 200 000 рублей",
        "квартира 120 м2, 3 комнаты",
        "карта 4276 1234 5678 9012",
        "ул. Ленина 15 кв 45, подъезд 2, этаж 5, код 1234",
    ],
)
def test_not_phones(text: str) -> None:
    entities = extract(text)
    assert (entities.phone, entities.phone_text) == (None, None)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("пишите на Anna.Petrova+spa@Mail.RU.", "Anna.Petrova+spa@mail.ru"),
        ("my email is john_smith@example.co.uk, thanks", "john_smith@example.co.uk"),
        ("почта: олег@почта.рф", "олег@почта.рф"),
        ("no email here @ all", None),
    ],
)
def test_emails(text: str, email: str | None) -> None:
    assert parse_email(text) == email


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        ("где мой заказ LM-04217?", "LM-04217"),
        ("lm-04217", "LM-04217"),
        ("lm 04217", "LM-04217"),
        ("LM04217", "LM-04217"),
        ("заказ 04217", "LM-04217"),
        ("order #04217", "LM-04217"),
        ("заказ №04217 не пришёл", "LM-04217"),
        ("LM-0421", None),
        ("04217", None),
        ("RM-1234", None),
    ],
)
def test_order_ids(text: str, order_id: str | None) -> None:
    assert parse_order_id(text, pattern=r"^LM-\d{5}$") == order_id


def test_order_ids_of_the_other_business() -> None:
    assert extract("заказ RM-1234", business="renovation").order_id == "RM-1234"
    assert extract("заказ 1234", business="renovation").order_id == "RM-1234"


def test_a_pattern_without_a_prefix_needs_the_word_order() -> None:
    pattern = r"^[A-Z0-9-]{4,20}$"
    assert parse_order_id("order AB12-9 is late", pattern=pattern) == "AB12-9"
    assert parse_order_id("hello world 2027", pattern=pattern) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("меня зовут Анна", "Анна"),
        ("Меня зовут анна петрова, телефон 89161234567", "Анна Петрова"),
        ("меня Ольга зовут", "Ольга"),
        ("я Анна", "Анна"),
        ("это Олег", "Олег"),
        ("Здравствуйте, это Мария Ивановна", "Мария Ивановна"),
        ("я анна-мария", "Анна-Мария"),
        ("My name is John", "John"),
        ("my name is john smith", "John Smith"),
        ("I'm John Smith", "John Smith"),
        ("Hi, I'm Anna and I want a manicure", "Anna"),
        ("this is Kate", "Kate"),
        ("I'm fine", None),
        ("I am looking for a haircut", None),
        ("I'm in Moscow", None),
        ("я хочу записаться", None),
        ("Я Москвич", None),
        ("Это салон?", None),
        ("this is great", None),
    ],
)
def test_names(text: str, name: str | None) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("анна", "Анна"),
        ("ANNA SMITH", "Anna Smith"),
        ("Вера Павловна", "Вера Павловна"),
        ("да", None),
        ("маникюр", None),
    ],
)
def test_a_bare_name_when_asked(text: str, name: str | None) -> None:
    assert parse_name(text, expecting="name") == name
    assert parse_name(text) is None


def test_a_bare_name_next_to_a_phone() -> None:
    entities = extract("Анна, 8 916 123 45 67", expecting="name")
    assert (entities.name, entities.phone) == ("Анна", "+79161234567")
