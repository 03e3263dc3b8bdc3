"""Channel policy shared by every provider: text limits, splitting, numbered options, windows.

Limits are measured the way each provider counts (see `TextLimit`):

| channel | text | measured in |
| --- | --- | --- |
| Telegram ``sendMessage`` | 4096 | UTF-16 code units (stricter than characters for emoji) |
| WhatsApp text body | 4096 | characters |
| WhatsApp interactive body | 1024 | characters |
| Messenger | 2000 | characters |
| Instagram | 1000 | UTF-8 bytes (Cyrillic takes 2 bytes a letter) |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Measure = Literal["chars", "utf16", "utf8"]

WHATSAPP_WINDOW = timedelta(hours=24)
"""Free-form WhatsApp messages are allowed this long after the customer's last message."""
HUMAN_AGENT_WINDOW = timedelta(days=7)
"""Messenger / Instagram ``HUMAN_AGENT`` tag: a person (never the bot) may answer this long."""


@dataclass(frozen=True)
class TextLimit:
    """The most text one provider message may carry."""

    most: int
    measure: Measure = "chars"


TELEGRAM_TEXT = TextLimit(4096, "utf16")
TELEGRAM_CALLBACK_DATA_BYTES = 64
TELEGRAM_CALLBACK_ANSWER = TextLimit(200)
WHATSAPP_TEXT = TextLimit(4096)
WHATSAPP_INTERACTIVE_BODY = TextLimit(1024)
MESSENGER_TEXT = TextLimit(2000)
INSTAGRAM_TEXT = TextLimit(1000, "utf8")

_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)


def measure(text: str, how: Measure) -> int:
    """The length of `text` as a provider counts it."""
    if how == "utf8":
        return len(text.encode("utf-8"))
    if how == "utf16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def fits(text: str, limit: TextLimit) -> bool:
    """Whether `text` fits in one message under `limit`."""
    return measure(text, limit.measure) <= limit.most


def _longest_prefix(text: str, limit: TextLimit) -> int:
    """How many characters of `text` fit under `limit` (at least one)."""
    if fits(text, limit):
        return len(text)
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle], limit):
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str, limit: TextLimit) -> int:
    """Where to cut `text` so the head fits: at a paragraph, line, sentence or word if one fits."""
    room = _longest_prefix(text, limit)
    head = text[:room]
    for pattern in _BREAKS:
        ends = [match.start() for match in pattern.finditer(head) if match.start() > room // 3]
        if ends:
            return ends[-1]
    return room


def split_text(text: str, limit: TextLimit) -> tuple[str, ...]:
    """Split `text` into messages that each fit `limit`, preferring natural breaks.

    Paragraphs are kept whole where they fit, then lines, sentences and words; a single word
    longer than the limit is cut. Whitespace at the cuts is dropped; no part is empty.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if fits(rest, limit):
            parts.append(rest)
            break
        cut = _cut(rest, limit)
        head = rest[:cut].rstrip()
        parts.append(head if head else rest[:cut])
        rest = rest[cut:].lstrip()
    return tuple(parts)


def truncate(text: str, limit: TextLimit, *, ellipsis: str = "…") -> str:
    """`text` shortened at a word to fit `limit`, ending with `ellipsis` when anything was dropped."""
    text = text.strip()
    if fits(text, limit):
        return text
    room = TextLimit(limit.most - measure(ellipsis, limit.measure), limit.measure)
    head = text[: _longest_prefix(text, room)]
    space = head.rfind(" ")
    if space > len(head) // 2:
        head = head[:space]
    return head.rstrip(" ,;:-—") + ellipsis


def numbered_options(text: str, options: Sequence[str]) -> str:
    """`text` followed by the options as numbered lines: the fallback where buttons cannot be shown.

    The customer may answer with the number or the words; the graph accepts both.
    """
    if not options:
        return text
    lines = [f"{number}. {option.strip()}" for number, option in enumerate(options, start=1)]
    return text.rstrip() + "\n\n" + "\n".join(lines)


def within_window(last_customer_message_at: datetime | None, now: datetime, window: timedelta) -> bool:
    """Whether `now` is less than `window` after the customer's last message (False if none)."""
    if last_customer_message_at is None:
        return False
    if last_customer_message_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("compare aware datetimes: read both from the Clock (UTC)")
    return now - last_customer_message_at < window


def within_whatsapp_window(last_customer_message_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form WhatsApp message may be sent; outside it only approved templates may."""
    return within_window(last_customer_message_at, now, WHATSAPP_WINDOW)


def within_human_agent_window(last_customer_message_at: datetime | None, now: datetime) -> bool:
    """Whether a *person* may still answer on Messenger / Instagram with the ``HUMAN_AGENT`` tag."""
    return within_window(last_customer_message_at, now, HUMAN_AGENT_WINDOW)
