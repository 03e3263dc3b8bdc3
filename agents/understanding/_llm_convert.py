"""Turns the LLM's validated answer into the frozen result types, keeping only what checks out.

Unknown catalogue ids, impossible dates and times, negative amounts and
malformed contacts are dropped; phones are normalised to ``+digits``. Nothing
here trusts the model beyond the shape of its answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation

from agents.understanding._llm_schema import (
    CatalogOut,
    ChoiceOut,
    DateOut,
    EntitiesOut,
    MoneyOut,
    QuantityOut,
    UnderstandingOutput,
)
from agents.understanding.model import (
    CatalogMatch,
    Choice,
    ChoiceKind,
    DateMention,
    Entities,
    IntentScore,
    MoneyMention,
    QuantityMention,
    Understanding,
)
from tools.intents import Intent
from tools.playbook import Playbook

MAX_ALTERNATIVES = 3
CATALOG_SCORE = 1.0
"""The score of a catalogue match the model made (it does not grade them)."""

_CALLING_CODES: dict[str, str] = {
    "RU": "7", "KZ": "7", "US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "IT": "39",
    "ES": "34", "NL": "31", "AM": "374", "GE": "995", "BY": "375", "UA": "380", "UZ": "998",
    "AE": "971", "TR": "90", "RS": "381", "PL": "48", "CY": "357",
}  # fmt: skip
"""Country calling codes for reading local numbers, by ISO 3166 region."""

_NATIONAL_LENGTHS: dict[str, int] = {"7": 10, "1": 10}
"""Digits of a national number (without the trunk prefix) where it is fixed."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CURRENCY_SIGNS = {"₽": "RUB", "РУБ": "RUB", "RUR": "RUB", "$": "USD", "€": "EUR", "£": "GBP"}
_MAX_NAME = 80
_MAX_MENTION_TEXT = 200


def normalise_phone(raw: str, region: str) -> str | None:
    """`raw` as ``+`` and 8–15 digits (E.164), reading local numbers for `region`; None when it cannot be."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    international = text.startswith(("+", "00"))
    if text.startswith("00"):
        digits = digits[2:]
    if not international:
        code = _CALLING_CODES.get(region.upper())
        national = _NATIONAL_LENGTHS.get(code or "")
        if code == "7" and len(digits) == 11 and digits[0] == "8":
            digits = "7" + digits[1:]
        elif code is not None and national is not None and len(digits) == national:
            digits = code + digits
        elif code is not None and national is None and digits.startswith("0"):
            digits = code + digits[1:]
    if not 8 <= len(digits) <= 15 or digits[0] == "0":
        return None
    return "+" + digits


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _clock(value: str | None) -> time | None:
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*", value)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24 and minute == 0:
        return time(23, 59)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _bad(value: str | None, parsed: object) -> bool:
    """True when `value` was given but did not parse."""
    return bool(value) and parsed is None


def _date_mention(out: DateOut) -> DateMention | None:
    day, until = _day(out.day), _day(out.until)
    at, after, before = _clock(out.at), _clock(out.after), _clock(out.before)
    if _bad(out.day, day) or _bad(out.at, at) or _bad(out.after, after) or _bad(out.before, before):
        return None
    if until is not None and (day is None or until < day):
        until = None
    if day is None and at is None and out.day_part is None and after is None and before is None:
        return None
    return DateMention(
        text=out.text[:_MAX_MENTION_TEXT],
        day=day,
        until=until,
        at=at,
        day_part=out.day_part,
        after=after,
        before=before,
    )


def _decimal(value: float) -> Decimal | None:
    if not math.isfinite(value) or value < 0:
        return None
    try:
        return Decimal(repr(value)).normalize() if value % 1 else Decimal(int(value))
    except (InvalidOperation, ValueError, OverflowError):
        return None


def _currency(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().upper()
    code = _CURRENCY_SIGNS.get(code, code)
    return code if _CURRENCY.match(code) else None


def _money(out: MoneyOut) -> MoneyMention | None:
    amount = _decimal(out.amount)
    if amount is None:
        return None
    return MoneyMention(
        text=out.text[:_MAX_MENTION_TEXT], amount=amount, currency=_currency(out.currency), bound=out.bound
    )


def _quantity(out: QuantityOut) -> QuantityMention | None:
    value = _decimal(out.value)
    unit = out.unit.strip().lower()
    if value is None or not unit:
        return None
    return QuantityMention(text=out.text[:_MAX_MENTION_TEXT], value=value, unit=unit)


def _catalog(items: Iterable[CatalogOut], known: Mapping[str, str]) -> tuple[CatalogMatch, ...]:
    matches: dict[str, CatalogMatch] = {}
    for item in items:
        key = item.id.strip()
        kind = known.get(key)
        if kind is None or key in matches:
            continue
        matches[key] = CatalogMatch(
            id=key, kind=kind, text=item.text[:_MAX_MENTION_TEXT], score=CATALOG_SCORE
        )
    return tuple(matches.values())


def _choice(out: ChoiceOut | None) -> Choice | None:
    if out is None:
        return None
    if out.kind is ChoiceKind.ORDINAL:
        if out.index is None or out.index < -1:
            return None
        return Choice(kind=ChoiceKind.ORDINAL, index=out.index)
    if out.kind is ChoiceKind.TIME:
        at = _clock(out.at)
        return Choice(kind=ChoiceKind.TIME, at=at) if at is not None else None
    return Choice(kind=out.kind)


def _order_id(value: str | None, pattern: str) -> str | None:
    if not value:
        return None
    candidate = value.strip().upper()
    return candidate if re.search(pattern, candidate) else None


def _email(value: str | None) -> str | None:
    if not value:
        return None
    candidate = value.strip().strip("<>").lower()
    return candidate if _EMAIL.match(candidate) else None


def _name(value: str | None) -> str | None:
    if not value:
        return None
    name = " ".join(value.split())
    return name[:_MAX_NAME] if name else None


def _entities(out: EntitiesOut, playbook: Playbook, known: Mapping[str, str]) -> Entities:
    phone = normalise_phone(out.phone, playbook.business.phone_region) if out.phone else None
    phone_text = out.phone.strip() if out.phone and phone is None and out.phone.strip() else None
    return Entities(
        dates=tuple(m for m in map(_date_mention, out.dates) if m is not None),
        money=tuple(m for m in map(_money, out.money) if m is not None),
        quantities=tuple(q for q in map(_quantity, out.quantities) if q is not None),
        phone=phone,
        phone_text=phone_text,
        email=_email(out.email),
        order_id=_order_id(out.order_id, playbook.business.order_id_pattern),
        name=_name(out.name),
        catalog=_catalog(out.catalog, known),
        choice=_choice(out.choice),
        durations_minutes=tuple(dict.fromkeys(d for d in out.durations_minutes if 0 < d <= 60 * 24 * 31)),
    )


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value)) if math.isfinite(value) else 0.0


def catalog_kinds(playbook: Playbook) -> dict[str, str]:
    """Every catalogue id the model may name, with its kind (``service``, ``product``, ``region``)."""
    kinds: dict[str, str] = {}
    for kind, items in (
        ("service", playbook.services),
        ("product", playbook.products),
        ("region", playbook.regions),
    ):
        for item in items:
            kinds.setdefault(item.id, kind)
    return kinds


def to_understanding(
    out: UnderstandingOutput,
    *,
    text: str,
    playbook: Playbook,
    known: Mapping[str, str],
    tokens: int,
    source: str = "llm",
) -> Understanding:
    """The `Understanding` of `text` that the model's answer `out` describes."""
    alternatives: dict[Intent, float] = {}
    for alternative in out.alternatives:
        if alternative.intent is not out.intent and alternative.intent not in alternatives:
            alternatives[alternative.intent] = _unit(alternative.score)
    ranked = sorted(alternatives.items(), key=lambda pair: pair[1], reverse=True)[:MAX_ALTERNATIVES]
    extra = tuple(dict.fromkeys(i for i in out.extra_intents if i is not out.intent))
    return Understanding(
        text=text,
        language=out.language,
        intent=out.intent,
        confidence=_unit(out.confidence),
        alternatives=tuple(IntentScore(intent=i, score=s) for i, s in ranked),
        extra_intents=extra,
        entities=_entities(out.entities, playbook, known),
        negative=out.negative,
        repair=out.repair,
        source=source,
        llm_tokens=tokens,
    )
