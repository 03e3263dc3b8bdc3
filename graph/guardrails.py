"""Guardrails, checked before any routing: opt-out, a person, forbidden topics, escalation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from agents.understanding import ChoiceKind, Repair, Understanding
from tools.crm import Contact
from tools.intents import Intent
from tools.playbook import Playbook

_HUMAN_WORDS = ("human", "оператор", "operator", "живой человек", "живого человека", "real person")


class Guard(StrEnum):
    """What a guardrail decided."""

    OPT_OUT = "optout"
    HUMAN = "human"
    FORBIDDEN = "forbidden"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Verdict:
    """A guardrail that fired, with why."""

    guard: Guard
    reason: str
    topic_reply: str | None = None


_NEGATED = re.compile(r"(?<!\w)(?:без|нет|никаких|no|without|never\s+had|not\s+any)\s+$")
"""A keyword right after one of these is denied ("без аллергий", "no allergies"), not reported."""
_RU_ENDING = re.compile(r"[аеёиоуыэюяйь]{1,2}$")


def _word_pattern(word: str) -> str:
    """One keyword word, allowing its inflected forms: "газовая" → газов…, "courts" for "court"."""
    if not re.search("[а-яё]", word):
        return re.escape(word) + r"(?:s|es)?"
    stem = _RU_ENDING.sub("", word) if len(word) >= 5 else word
    stem = stem if len(stem) >= 3 else word
    return re.escape(stem) + r"\w{0,3}"


def mentions(text: str, keyword: str) -> bool:
    """Whether `text` contains `keyword` as a word ("суд" in "в суде", but "war" not in "warranty").

    Each word of a Cyrillic keyword may take a different ending (Russian inflection: "газовая
    колонка" is found in "газовую колонку"); Latin words a plural "s". A denied keyword ("без
    аллергий", "no allergies") does not count.
    """
    pattern = _keyword_regex(keyword)
    if pattern is None:
        return False
    folded = text.lower().replace("ё", "е")
    return any(not _NEGATED.search(folded[: found.start()]) for found in pattern.finditer(folded))


@lru_cache(maxsize=4096)
def _keyword_regex(keyword: str) -> re.Pattern[str] | None:
    """The compiled pattern of a keyword (None for a blank one), built once per process."""
    words = keyword.strip().lower().replace("ё", "е").split()
    if not words:
        return None
    pattern = r"\s+".join(_word_pattern(word) for word in words)
    return re.compile(rf"(?<!\w){pattern}(?!\w)")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def is_vip(playbook: Playbook, contact: Contact) -> bool:
    """Whether the playbook lists this contact as VIP (phone, email or tag)."""
    vip = playbook.escalation.vip
    if contact.phone and _digits(contact.phone)[-10:] in {_digits(p)[-10:] for p in vip.phones}:
        return True
    if contact.email and contact.email.lower() in {e.lower() for e in vip.emails}:
        return True
    return bool(set(contact.tags) & set(vip.tags))


SURE = 0.7
"""The classifier alone must be this sure to opt out or hand over; the repair detector's phrases always count."""


def _sure(meaning: Understanding, intent: Intent, free_text: bool) -> bool:
    """The classifier alone decides only for a sure, non-answer message ("No" answers a question; it is no opt-out)."""
    explicit_other = meaning.repair in {Repair.CANCEL, Repair.SKIP, Repair.CORRECT}
    choice = meaning.entities.choice
    answer = (
        choice is not None
        and choice.kind in {ChoiceKind.YES, ChoiceKind.NO}
        and len(meaning.text.split()) <= 3
    )
    return (
        meaning.intent is intent
        and meaning.confidence >= SURE
        and not (free_text or explicit_other or answer)
    )


def check(
    playbook: Playbook,
    meaning: Understanding,
    *,
    language: str,
    repeats: int,
    contact: Contact | None,
    first_turn: bool,
    expecting: str | None = None,
) -> Verdict | None:
    """The first guardrail that fires for this message, or None.

    While the customer answers a question in their own words (a comment, an address),
    only explicit phrases ("stop", "оператор") opt out or hand over, not a guess of the classifier.
    """
    text = meaning.text.lower()
    free_text = bool(expecting and expecting.startswith(("field:", "q:", "scope:", "text")))
    if meaning.repair is Repair.OPT_OUT or _sure(meaning, Intent.OPT_OUT, free_text):
        return Verdict(Guard.OPT_OUT, "the customer asked to stop messages")
    human = meaning.repair is Repair.HUMAN or _sure(meaning, Intent.HUMAN_REQUEST, free_text)
    if human or text.strip() in _HUMAN_WORDS:
        return Verdict(Guard.HUMAN, "the customer asked for a person")
    for topic in playbook.topics.forbidden:
        if any(mentions(text, word) for word in topic.keywords.all()):
            return Verdict(Guard.FORBIDDEN, f"forbidden topic {topic.id}", topic.reply.get(language))
    rules = playbook.escalation
    if any(mentions(text, word) for word in rules.legal_keywords.all()):
        return Verdict(Guard.ESCALATE, "legal or compliance words")
    if any(mentions(text, word) for word in rules.keywords.all()):
        return Verdict(Guard.ESCALATE, "an escalation keyword")
    if rules.negative_tone and meaning.negative:
        return Verdict(Guard.ESCALATE, "the customer is upset")
    if repeats >= rules.repeated_messages:
        return Verdict(Guard.ESCALATE, f"the same message {repeats} times")
    if first_turn and contact is not None and is_vip(playbook, contact):
        return Verdict(Guard.ESCALATE, "a VIP customer")
    return None
