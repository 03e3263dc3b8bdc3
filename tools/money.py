"""Amounts of money as customers read them, per language."""

from __future__ import annotations

from decimal import Decimal

_SYMBOLS = {"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£", "KZT": "₸", "UAH": "₴"}


def format_money(minor: int, currency: str, language: str) -> str:
    """Format an amount: ``12 500 ₽`` in Russian, ``₽12,500`` in English (kopecks/cents only when present)."""
    amount = Decimal(minor) / 100
    whole = amount == amount.to_integral_value()
    number = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency, currency)
    if language == "ru":
        number = number.replace(",", "\u00a0").replace(".", ",")
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}" if len(symbol) == 1 else f"{number} {symbol}"


def format_range(low_minor: int, high_minor: int, currency: str, language: str) -> str:
    """A price or a range: ``6 000–9 000 ₽``; a single price when both ends are equal."""
    if low_minor == high_minor:
        return format_money(low_minor, currency, language)
    low = format_money(low_minor, currency, language)
    high = format_money(high_minor, currency, language)
    if language == "ru":
        return f"{low.rsplit(chr(0xA0), 1)[0]}–{high}"
    return f"{low}–{high}"


_UNITS = {
    "m2": {"en": "m²", "ru": "м²"},
    "sqm": {"en": "m²", "ru": "м²"},
    "hour": {"en": "hour", "ru": "час"},
    "h": {"en": "hour", "ru": "час"},
    "room": {"en": "room", "ru": "комнату"},
    "item": {"en": "item", "ru": "шт."},
    "visit": {"en": "visit", "ru": "визит"},
    "day": {"en": "day", "ru": "день"},
}


def per_unit(unit: str | None, language: str) -> str:
    """ " / m²", " / час": the unit a price is for, in the customer's language ("" for none)."""
    if not unit:
        return ""
    words = _UNITS.get(unit.lower())
    return f" / {words['ru' if language == 'ru' else 'en'] if words else unit}"
