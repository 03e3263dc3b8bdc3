"""Offline, deterministic entity extraction from one customer message, in English and Russian.

`extract_entities` runs every parser over the message in an order that keeps them from stealing each
other's words: email → order id → quantities → money → dates and times → durations → bare budgets →
phone → choice → name → catalogue. Each parser blanks out what it took, so "100 000 руб" never becomes
a phone and "15.03" never becomes money. The sub-parsers are exported for direct use.
"""

from __future__ import annotations

import re

from agents.understanding.entities._normalize import Found, Text, spans
from agents.understanding.entities.catalog import catalog_index, match_catalog
from agents.understanding.entities.choices import find_choice, parse_choice
from agents.understanding.entities.contacts import (
    PhoneMatch,
    find_emails,
    find_order_ids,
    find_phones,
    normalize_phone,
    parse_email,
    parse_order_id,
    parse_phone,
)
from agents.understanding.entities.dates import find_dates, parse_dates
from agents.understanding.entities.durations import find_durations, parse_durations
from agents.understanding.entities.money import find_money, parse_money
from agents.understanding.entities.names import find_name, parse_name
from agents.understanding.entities.quantities import find_quantities, parse_quantities
from agents.understanding.model import CatalogMatch, DialogueContext, Entities
from agents.understanding.offline.language import looks_transliterated, to_cyrillic
from tools.playbook import Playbook

__all__ = [
    "PhoneMatch",
    "extract_entities",
    "match_catalog",
    "normalize_phone",
    "parse_choice",
    "parse_dates",
    "parse_durations",
    "parse_email",
    "parse_money",
    "parse_name",
    "parse_order_id",
    "parse_phone",
    "parse_quantities",
]

MAX_CHARS = 20_000
"""Longer messages are read only up to here (nobody books a haircut in a novel)."""
_MONTH_FIRST_REGIONS = frozenset({"US"})


def extract_entities(text: str, *, language: str, playbook: Playbook, context: DialogueContext) -> Entities:
    """Everything `text` mentions that the agents may act on, resolved for `playbook`'s business.

    Dates are resolved against `context.now` in the business time zone; local phone numbers are read
    with the business's `phone_region`; order ids must match its `order_id_pattern`; catalogue matches
    come from its services, products and regions. `language` (``en`` / ``ru``) only breaks ties:
    both languages are always understood, mixed messages included.
    """
    business = playbook.business
    zone = business.zone
    now = context.now.astimezone(zone)
    expecting = context.expecting
    source = Text.of(text[:MAX_CHARS])

    emails = find_emails(source)
    rest = source.masked(spans(emails))
    orders = find_order_ids(rest, pattern=business.order_id_pattern, expecting=expecting)
    rest = rest.masked(spans(orders))
    quantities = find_quantities(rest, expecting=expecting)
    rest = rest.masked(spans(quantities))
    money = find_money(rest)
    rest = rest.masked(spans(money))
    dates = find_dates(rest, now, month_first=business.phone_region in _MONTH_FIRST_REGIONS)
    rest = rest.masked(spans(dates))
    durations = find_durations(rest)
    rest = rest.masked(spans(durations))
    money += find_money(rest, weak=True, expecting=expecting)
    rest = rest.masked(spans(money))
    phones = find_phones(rest, region=business.phone_region, expecting=expecting)
    rest = rest.masked(spans(phones))

    valid = next((item.value.e164 for item in phones if item.value.e164), None)
    catalog_text = source.masked(spans(emails) + spans(orders) + spans(phones))
    return Entities(
        dates=tuple(item.value for item in dates),
        money=tuple(item.value for item in sorted(money, key=lambda item: item.start)),
        quantities=tuple(item.value for item in quantities),
        phone=valid,
        phone_text=phones[0].value.text if phones and valid is None else None,
        email=emails[0].value if emails else None,
        order_id=orders[0].value if orders else None,
        name=_value(find_name(rest, expecting=expecting)),
        catalog=_catalog(playbook, catalog_text, language),
        choice=find_choice(
            source, context=context, zone=zone, dates=[item.value for item in dates], masked=rest
        ),
        durations_minutes=tuple(item.value for item in durations),
    )


_CYRILLIC = re.compile(r"[а-яё]")


def _catalog(playbook: Playbook, text: Text, language: str) -> tuple[CatalogMatch, ...]:
    """Catalogue matches; transliterated Russian ("skolko stoit manikyur") is also read in Cyrillic."""
    index = catalog_index(playbook)
    found = index.match(text, language)
    if not found and not _CYRILLIC.search(text.low) and looks_transliterated(text.raw):
        found = index.match(Text.of(to_cyrillic(text.low)), "ru")
    return tuple(found)


def _value(found: Found[str] | None) -> str | None:
    return found.value if found else None
