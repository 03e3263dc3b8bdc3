"""Masking the secrets a customer pastes into a message, before it is stored, logged or sent to an LLM.

`mask_secrets` is pure and fast: precompiled patterns (`tools.privacy_patterns`), no I/O, three
scans of the message and detailed patterns only in short windows around what they found.
Card numbers are recognised by their Luhn check digit and IBANs by their mod-97 check, so
phone numbers, order ids, prices and dates stay as written. Where a number identifies an
account (cards, bank accounts, IBANs) the last four characters remain, so staff can still ask
about "the card ending 1234"; everything else becomes ``[hidden]``. See ``docs/privacy.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from tools import privacy_patterns as p

__all__ = ["HIDDEN", "MaskResult", "SecretKind", "luhn_valid", "mask_secrets"]

HIDDEN = "[hidden]"
"""What a masked value without a useful tail is replaced with."""


class SecretKind(StrEnum):
    """What kind of secret was masked."""

    CARD_NUMBER = "card_number"
    CARD_EXPIRY = "card_expiry"
    CARD_CVV = "card_cvv"
    PASSWORD = "password"
    PIN = "pin"
    ONE_TIME_CODE = "one_time_code"
    API_KEY = "api_key"
    IBAN = "iban"
    BANK_ACCOUNT = "bank_account"
    PASSPORT = "passport"


@dataclass(frozen=True)
class MaskResult:
    """A message with its secrets masked, and what was masked (one entry per secret, in text order)."""

    text: str
    found: tuple[SecretKind, ...]

    @property
    def masked(self) -> bool:
        """Whether anything was masked."""
        return bool(self.found)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: SecretKind
    replacement: str = HIDDEN


_CURRENCY_SIGNS = frozenset("$€£₽¥₸₴")
_NOT_DIGITS = re.compile(r"\D+")
_DIGIT = {char: value for value, char in enumerate("0123456789")}
_DOUBLED = {char: value * 2 - 9 if value > 4 else value * 2 for char, value in _DIGIT.items()}


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits ends in a correct Luhn check digit (as every payment card number does)."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = sum(map(_DIGIT.__getitem__, digits[-1::-2])) + sum(map(_DOUBLED.__getitem__, digits[-2::-2]))
    return total % 10 == 0


def _iban_valid(chars: str) -> bool:
    rearranged = chars[4:] + chars[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _tail(kind: str, chars: str) -> str:
    return f"[{kind} •••• {chars[-4:]}]"


def _card_in_run(text: str, run: re.Match[str]) -> Iterator[tuple[int, int, str]]:
    """Card numbers among the digit groups of `run`: the longest Luhn-valid window starting at each group."""
    base = run.start()
    groups = [(base + m.start(), base + m.end(), m.group(0)) for m in re.finditer("[0-9]+", run.group(0))]
    for index, (_, end, _) in enumerate(groups):
        after = text[end : end + 2]
        if len(after) == 2 and after[0] in "/.:" and after[1].isdigit():
            groups = groups[:index]  # this group starts a date or a time, not a card
            break
    index = 0
    while index < len(groups):
        first, _, part = groups[index]
        if part[0] not in "23456" or len(part) < 4 or text[first - 1 : first] == "+":
            index += 1
            continue
        digits, best = "", None
        for last in range(index, len(groups)):
            digits += groups[last][2]
            if len(digits) > 19:
                break
            end = groups[last][1]
            if len(digits) >= 13 and not text[end : end + 1].isalpha() and luhn_valid(digits):
                best = (last, digits)
        if best is None:
            index += 1
            continue
        last, digits = best
        yield first, groups[last][1], digits
        index = last + 1


def _cards(text: str, low: str, runs: list[re.Match[str]]) -> Iterator[_Hit]:
    for run in runs:
        if len(_NOT_DIGITS.sub("", run.group(0))) < 13 or p.NOT_A_CARD_LABEL.search(
            low, max(0, run.start() - 24), run.start()
        ):
            continue
        for start, end, digits in _card_in_run(text, run):
            if text[start - 1 : start] in _CURRENCY_SIGNS or p.CURRENCY_AFTER.match(low, end):
                continue  # "$2000000030000000", "20000000-30000000 руб": an amount
            yield _Hit(start, end, SecretKind.CARD_NUMBER, _tail("card", digits))
            yield from _card_tail(low, end)


def _card_tail(low: str, position: int) -> Iterator[_Hit]:
    """The expiry date and the CVV written right after a card number."""
    expiry = p.CARD_TAIL_EXPIRY.match(low, position, position + 40)
    if expiry:
        yield _Hit(expiry.start("value"), expiry.end("value"), SecretKind.CARD_EXPIRY)
        position = expiry.end()
    cvv = p.CARD_TAIL_CVV.match(low, position, position + 40)
    if cvv and cvv.start("value") > position:
        yield _Hit(cvv.start("value"), cvv.end("value"), SecretKind.CARD_CVV)


def _labelled(
    pattern: re.Pattern[str], kind: SecretKind, low: str, windows: list[p.Window]
) -> Iterator[_Hit]:
    for m in p.in_windows(pattern, low, windows):
        group = "value" if m.group("value") is not None else "value_en"
        yield _Hit(m.start(group), m.end(group), kind)


def _passwords(low: str, windows: list[p.Window]) -> Iterator[_Hit]:
    for m in p.in_windows(p.PASSWORD, low, windows):
        value = m.group("value").rstrip(".,;:)»\"'”")
        if not value or p.ALREADY_MASKED.match(value) or value in p.PASSWORD_NOT_VALUES:
            continue
        said = m.group("say").strip() or m.group("quote")
        if not said and (len(value) < 4 or value.isalpha()):
            continue  # "пароль не подходит", "password reset link": no value given
        yield _Hit(m.start("value"), m.start("value") + len(value), SecretKind.PASSWORD)


def _labelled_keys(low: str, windows: list[p.Window]) -> Iterator[_Hit]:
    for m in p.in_windows(p.BEARER, low, windows):
        yield _Hit(m.start("value"), m.end("value"), SecretKind.API_KEY)
    for m in p.in_windows(p.KEY, low, windows):
        value = m.group("value").rstrip(".,:")
        if any(ch.isdigit() for ch in value) and len(value) >= 8 and "://" not in value:
            yield _Hit(m.start("value"), m.start("value") + len(value), SecretKind.API_KEY)


def _shaped_keys(text: str, windows: list[p.Window]) -> Iterator[_Hit]:
    for m in p.in_windows(p.KNOWN_KEYS, text, windows):
        yield _Hit(m.start(), m.end(), SecretKind.API_KEY)
    for m in p.in_windows(p.LONG_TOKEN, text, windows):
        token = m.group(0)
        if p.UUID.fullmatch(token):
            continue
        hexadecimal = all(ch in "0123456789abcdefABCDEF" for ch in token)
        mixed = any(ch.isdigit() for ch in token) and any(ch.isupper() for ch in token)
        if hexadecimal or (mixed and any(ch.islower() for ch in token)):
            yield _Hit(m.start(), m.end(), SecretKind.API_KEY)


def _ibans(text: str, windows: list[p.Window]) -> Iterator[_Hit]:
    for m in p.in_windows(p.IBAN, text, windows):
        chars = [(m.start() + i, ch) for i, ch in enumerate(m.group(0)) if ch not in " \u00a0"]
        for size in range(min(len(chars), 34), 14, -1):
            end = chars[size - 1][0] + 1
            compact = "".join(ch for _, ch in chars[:size])
            if not text[end : end + 1].isalnum() and _iban_valid(compact):
                yield _Hit(m.start(), end, SecretKind.IBAN, _tail("IBAN", compact))
                break


def _accounts(text: str, low: str, runs: list[re.Match[str]]) -> Iterator[_Hit]:
    for run in runs:
        for m in p.ACCOUNT_NUMBER.finditer(text, run.start(), run.end()):
            digits = re.sub(r"\D", "", m.group(0))
            if digits.startswith(p.PUBLIC_ACCOUNT_PREFIXES):
                continue
            labelled = p.ACCOUNT_LABEL.search(low, max(0, m.start() - 48), m.start())
            if labelled or digits.startswith(p.PERSONAL_ACCOUNT_PREFIXES):
                yield _Hit(m.start(), m.end(), SecretKind.BANK_ACCOUNT, _tail("account", digits))


def _hits(text: str) -> Iterator[_Hit]:
    """Every candidate, most specific first: where two overlap, the earlier one here wins."""
    scan = p.Scan.of(text)
    low, near = scan.low, scan.near
    yield from _ibans(text, near["iban"])
    yield from _accounts(text, low, scan.runs)
    yield from _labelled(p.PASSPORT, SecretKind.PASSPORT, low, near["passport"])
    yield from _cards(text, low, scan.runs)
    yield from _labelled(p.EXPIRY, SecretKind.CARD_EXPIRY, low, near["expiry"])
    yield from _labelled(p.CVV, SecretKind.CARD_CVV, low, near["cvv"])
    yield from _labelled(p.PIN, SecretKind.PIN, low, near["pin"])
    yield from _labelled(p.ONE_TIME_CODE, SecretKind.ONE_TIME_CODE, low, near["code"])
    yield from _shaped_keys(text, scan.tokens)
    yield from _labelled_keys(low, near["key"])
    yield from _passwords(low, near["password"])


def mask_secrets(text: str) -> MaskResult:
    """`text` with card numbers, CVVs, expiry dates, passwords, PINs, one-time codes, keys,
    IBANs, bank accounts and passport numbers masked; everything else left exactly as written.

    >>> mask_secrets("карта 4111 1111 1111 1111, срок 12/27").text
    'карта [card •••• 1111], срок [hidden]'
    """
    kept: list[_Hit] = []
    for hit in _hits(text):
        if hit.end > hit.start and all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    if not kept:
        return MaskResult(text, ())
    kept.sort(key=lambda hit: hit.start)
    parts: list[str] = []
    position = 0
    for hit in kept:
        parts += (text[position : hit.start], hit.replacement)
        position = hit.end
    parts.append(text[position:])
    return MaskResult("".join(parts), tuple(hit.kind for hit in kept))
