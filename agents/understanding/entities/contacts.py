"""Contact details and references: phone numbers (to E.164), email addresses and order ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agents.understanding.entities._normalize import Found, Text

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
_PHONE = re.compile(r"(?<![\w+/:.,])(?:\+|00)?\s?\(?\d(?:[\s\-()]{0,3}\d){4,16}(?![\w:/]|[.,]\d)")

# Country calling code -> allowed lengths of the national number.
_LENGTHS: dict[str, tuple[int, ...]] = {
    "1": (10,), "7": (10,), "20": (10,), "30": (10,), "31": (9,), "32": (8, 9), "33": (9,), "34": (9,),
    "36": (8, 9), "39": (6, 7, 8, 9, 10, 11), "40": (9,), "41": (9,), "43": tuple(range(4, 14)),
    "44": (9, 10), "45": (8,), "46": tuple(range(7, 10)), "47": (8,), "48": (9,), "49": tuple(range(6, 12)),
    "90": (10,), "351": (9,), "353": (7, 8, 9), "358": tuple(range(5, 11)), "370": (8,), "371": (8,),
    "372": (7, 8), "373": (8,), "374": (8,), "375": (9,), "380": (9,), "381": (8, 9), "420": (9,),
    "886": (8, 9), "971": (8, 9), "972": (8, 9), "992": (9,), "993": (8,), "994": (9,), "995": (9,),
    "996": (9,), "998": (9,), "86": (10, 11), "91": (10,), "81": (9, 10), "82": (8, 9, 10), "61": (9,),
}  # fmt: skip
# Region -> (country code, trunk prefix dialled before national numbers).
_REGIONS: dict[str, tuple[str, str]] = {
    "RU": ("7", "8"), "KZ": ("7", "8"), "US": ("1", "1"), "CA": ("1", "1"), "GB": ("44", "0"),
    "DE": ("49", "0"), "FR": ("33", "0"), "ES": ("34", ""), "IT": ("39", ""), "NL": ("31", "0"),
    "BE": ("32", "0"), "AT": ("43", "0"), "CH": ("41", "0"), "PL": ("48", ""), "CZ": ("420", ""),
    "PT": ("351", ""), "IE": ("353", "0"), "FI": ("358", "0"), "SE": ("46", "0"), "NO": ("47", ""),
    "DK": ("45", ""), "UA": ("380", "0"), "BY": ("375", "8"), "GE": ("995", "0"), "AM": ("374", "0"),
    "AZ": ("994", "0"), "UZ": ("998", ""), "KG": ("996", "0"), "TJ": ("992", ""), "TR": ("90", "0"),
    "AE": ("971", "0"), "IL": ("972", "0"), "RS": ("381", "0"), "LT": ("370", "8"), "LV": ("371", ""),
    "EE": ("372", ""), "MD": ("373", "0"),
}  # fmt: skip


@dataclass(frozen=True)
class PhoneMatch:
    """Something written like a phone number, and its E.164 form when it is a valid one."""

    text: str
    e164: str | None


def _international(digits: str) -> str | None:
    for size in (1, 2, 3):
        code = digits[:size]
        if code in _LENGTHS:
            return f"+{digits}" if len(digits) - size in _LENGTHS[code] else None
    return f"+{digits}" if 8 <= len(digits) <= 15 else None


def normalize_phone(raw: str, region: str) -> str | None:
    """`raw` as an E.164 number (``+79161234567``) read with the rules of `region`, or None when invalid."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+"):
        return _international(digits)
    if digits.startswith("00"):
        return _international(digits[2:])
    code, trunk = _REGIONS.get(region.upper(), ("", ""))
    if not code:
        return _international(digits) if len(digits) >= 11 else None
    national = _LENGTHS.get(code, (9,))
    if code == "7":
        if len(digits) == 11 and digits[0] in "78":
            return f"+7{digits[1:]}"
        if len(digits) == 10 and digits[0] in "3489":
            return f"+7{digits}"
        return None
    if trunk and digits.startswith(trunk) and len(digits) - len(trunk) in national:
        return f"+{code}{digits[len(trunk) :]}"
    if len(digits) in national and not (trunk == "0" and digits.startswith("0")):
        return f"+{code}{digits}"
    if digits.startswith(code) and len(digits) - len(code) in national:
        return f"+{digits}"
    return None


def find_phones(text: Text, *, region: str, expecting: str | None = None) -> list[Found[PhoneMatch]]:
    """Phone-like runs of digits: 7 or more digits, a leading ``+``, or 5+ digits when a phone was asked for."""
    found: list[Found[PhoneMatch]] = []
    for m in _PHONE.finditer(text.low):
        raw = m.group(0).strip()
        digits = sum(ch.isdigit() for ch in raw)
        if digits > 15 or not (
            digits >= 7 or (raw.startswith("+") and digits >= 5) or (expecting == "phone" and digits >= 5)
        ):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        snippet = text.snippet(start, m.end())
        found.append(Found(start, m.end(), PhoneMatch(snippet, normalize_phone(snippet, region))))
    return found


def parse_phone(text: str, *, region: str, expecting: str | None = None) -> PhoneMatch | None:
    """The first valid phone number in `text`, else the first thing that looked like one, else None."""
    found = [item.value for item in find_phones(Text.of(text), region=region, expecting=expecting)]
    return next((item for item in found if item.e164), found[0] if found else None)


def find_emails(text: Text) -> list[Found[str]]:
    """Email addresses (domain lowercased)."""
    results: list[Found[str]] = []
    for m in _EMAIL.finditer(text.low):
        raw = text.raw[m.start() : m.end()]
        local, _, domain = raw.rpartition("@")
        results.append(Found(m.start(), m.end(), f"{local}@{domain.lower()}"))
    return results


def parse_email(text: str) -> str | None:
    """The first email address in `text`, or None."""
    found = find_emails(Text.of(text))
    return found[0].value if found else None


@dataclass(frozen=True)
class _OrderPattern:
    full: re.Pattern[str]
    search: re.Pattern[str]
    loose: re.Pattern[str] | None
    prefix: str


_ORDER_WORD = r"(?:заказ\w*|order|ордер\w*|номер\s+заказа|order\s+(?:number|no\.?|id))\s*(?:номер|number|no\.?|#|№|id)?\s*[#№]?\s*"


@lru_cache(maxsize=64)
def _order_pattern(pattern: str) -> _OrderPattern:
    body = re.sub(r"^\^|\$$|^\\A|\\Z$", "", pattern)
    prefix_match = re.match(r"(?:[A-Za-z0-9]|\\-|-|_)+", body)
    prefix_raw = prefix_match.group(0) if prefix_match else ""
    literal = prefix_raw.replace("\\-", "-")
    letters = literal.rstrip("-_")
    rest = body[len(prefix_raw) :]
    loose = None
    if letters and rest:
        loose = re.compile(
            rf"(?<![\w-])(?:{re.escape(letters)}\s*[-_#№ ]?\s*(?P<tail>{rest})|{_ORDER_WORD}(?P<tail2>{rest}))(?![\w-])",
            re.IGNORECASE,
        )
    return _OrderPattern(
        full=re.compile(rf"^(?:{body})$"),
        search=re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE),
        loose=loose,
        prefix=literal,
    )


def find_order_ids(text: Text, *, pattern: str, expecting: str | None = None) -> list[Found[str]]:
    """Order ids matching the business's `pattern`, in canonical form ("lm 04217" → ``LM-04217``).

    With a pattern that has no fixed prefix (anything would match), only ids after "order"/"заказ"
    or in answer to a question about the order (`expecting`) count.
    """
    compiled = _order_pattern(pattern)
    results: list[Found[str]] = []
    if compiled.loose is not None:
        for m in compiled.search.finditer(text.raw):
            candidate = m.group(0).upper()
            if compiled.full.match(candidate) and any(ch.isdigit() for ch in candidate):
                results.append(Found(m.start(), m.end(), candidate))
        taken = {item.start for item in results}
        for m in compiled.loose.finditer(text.raw):
            candidate = f"{compiled.prefix}{m['tail'] or m['tail2']}".upper()
            if m.start() not in taken and compiled.full.match(candidate):
                results.append(Found(m.start(), m.end(), candidate))
        return sorted(results, key=lambda item: item.start)
    keyed = re.compile(rf"(?<![\w-]){_ORDER_WORD}(?P<id>[\w-]+)", re.IGNORECASE)
    for m in keyed.finditer(text.raw):
        candidate = m["id"].upper()
        if compiled.full.match(candidate) and any(ch.isdigit() for ch in candidate):
            results.append(Found(m.start("id"), m.end("id"), candidate))
    if not results and expecting in {"order_id", "order"}:
        for m in compiled.search.finditer(text.raw):
            candidate = m.group(0).upper()
            if compiled.full.match(candidate) and any(ch.isdigit() for ch in candidate):
                results.append(Found(m.start(), m.end(), candidate))
    return results


def parse_order_id(text: str, *, pattern: str, expecting: str | None = None) -> str | None:
    """The first order id in `text` matching `pattern` (an anchored regex such as ``^LM-\\d{5}$``)."""
    found = find_order_ids(Text.of(text), pattern=pattern, expecting=expecting)
    return found[0].value if found else None
