"""Money and budgets: multipliers, currencies, bounds and ranges; never phones, dates or areas."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.understanding.entities import parse_money
from agents.understanding.model import MoneyMention

from .support import extract


@pytest.mark.parametrize(
    ("text", "amount", "currency", "bound"),
    [
        ("300к", "300000", None, None),
        ("бюджет 300 тыс", "300000", None, None),
        ("50 тысяч рублей", "50000", "RUB", None),
        ("до 2 млн", "2000000", None, "max"),
        ("1,5 млн", "1500000", None, None),
        ("полтора миллиона", "1500000", None, None),
        ("пол ляма", "500000", None, None),
        ("$5k", "5000", "USD", None),
        ("5k usd", "5000", "USD", None),
        ("€300", "300", "EUR", None),
        ("300 евро", "300", "EUR", None),
        ("5000₽", "5000", "RUB", None),
        ("5000р", "5000", "RUB", None),
        ("100 000 руб", "100000", "RUB", None),
        ("1 500 000 руб.", "1500000", "RUB", None),
        ("$1,500", "1500", "USD", None),
        ("budget is around 200000", "200000", None, None),
        ("бюджет примерно 150000", "150000", None, None),
        ("up to 50k", "50000", None, "max"),
        ("under 10000", "10000", None, "max"),
        ("не больше 30 тысяч", "30000", None, "max"),
        ("от 5000 руб", "5000", "RUB", "min"),
        ("at least $2k", "2000", "USD", "min"),
        ("$1.5m", "1500000", "USD", None),
    ],
)
def test_amounts(text: str, amount: str, currency: str | None, bound: str | None) -> None:
    (mention,) = parse_money(text)
    assert (mention.amount, mention.currency, mention.bound) == (Decimal(amount), currency, bound)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("от 100 до 200 тысяч", "100000", "200000"),
        ("от 500 тыс до 2 млн", "500000", "2000000"),
        ("100-200k", "100000", "200000"),
        ("between $100 and $200", "100", "200"),
    ],
)
def test_ranges_are_two_bounds(text: str, low: str, high: str) -> None:
    first, second = parse_money(text)
    assert (first.amount, first.bound) == (Decimal(low), "min")
    assert (second.amount, second.bound) == (Decimal(high), "max")


def test_range_currency_applies_to_both_ends() -> None:
    first, second = parse_money("от 100 до 200 тысяч рублей")
    assert first.currency == second.currency == "RUB"


@pytest.mark.parametrize(("text", "amount"), [("шеллак за 1500?", "1500"), ("стрижка стоит 2000?", "2000")])
def test_a_price_in_a_question(text: str, amount: str) -> None:
    assert [item.amount for item in extract(text).money] == [Decimal(amount)]


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("ой, бюджет не 7000, а 20000", ["7000", "20000"]),
        ("budget 500, no, 800", ["500", "800"]),
        ("бюджет 7000, и ещё 2 вопроса", ["7000"]),
    ],
)
def test_the_corrected_budget_is_money_too(text: str, amounts: list[str]) -> None:
    assert [item.amount for item in extract(text).money] == [Decimal(a) for a in amounts]


def test_a_bare_number_is_a_budget_when_asked_for() -> None:
    assert parse_money("300", expecting="budget") == (MoneyMention("300", Decimal(300)),)
    assert parse_money("300") == ()


@pytest.mark.parametrize(
    "text",
    [
        "45 кв",
        "в 10 к вам подъеду",
        "в 15:00",
        "+7 916 123 45 67",
        "60m2",
        "2к квартира",
        "до 12",
        "в 2027 году",
        "5 марта",
    ],
)
def test_not_money(text: str) -> None:
    assert parse_money(text) == ()


def test_money_is_not_a_phone_and_a_phone_is_not_money() -> None:
    entities = extract("бюджет 1 500 000 руб, телефон 8 916 123-45-67", business="renovation")
    assert [item.amount for item in entities.money] == [Decimal(1500000)]
    assert entities.phone == "+79161234567"
