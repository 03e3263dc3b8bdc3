"""Reading the answer to "how did you like it?", and choosing the one complementary offer for a happy customer.

Plain functions over the words and the playbook: no model, no stores. An answer is happy or
unhappy, or neither (a question, something else): then it is not treated as an answer at all.
When in doubt between the two, it is unhappy: a remark ("great, but the master was late") goes
to the team, and nobody who complained gets an offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from agents.understanding import ChoiceKind, Understanding
from tools.playbook import Playbook

EXPECTING = "satisfaction"
"""What the satisfaction question asks for."""
EXPECTING_DETAILS = "q:satisfaction_details"
"""What went wrong, in the customer's words (free text: the flow keeps it)."""
EXPECTING_OFFER = "satisfaction_offer"
"""Yes or no to the complementary offer."""

GOOD = {"en": "👍 All good", "ru": "👍 Всё отлично"}
NOT_GOOD = {"en": "👎 Not really", "ru": "👎 Не очень"}
RATINGS = ("1", "2", "3", "4", "5")
BOOK = {"en": "Book", "ru": "Записаться"}
WANT = {"en": "Yes, I'd like it", "ru": "Да, хочу"}
NO_THANKS = {"en": "No, thanks", "ru": "Нет, спасибо"}


class Feeling(StrEnum):
    """How the customer says it went."""

    HAPPY = "happy"
    UNHAPPY = "unhappy"


def _lang(language: str) -> str:
    return "ru" if language == "ru" else "en"


_SCALE = re.compile(r"(?<!\d)1\s*(?:-|–|—|to|до|по|\.\.)\s*5(?!\d)", re.IGNORECASE)


def asks_for_rating(question: str) -> bool:
    """Whether the question (the playbook's wording) asks for a score from 1 to 5."""
    return bool(_SCALE.search(question))


def question_buttons(rating_scale: bool, language: str) -> tuple[str, ...]:
    """1–5 when the question asks for a score (`asks_for_rating`), else 👍 / 👎."""
    if rating_scale:
        return RATINGS
    return GOOD[_lang(language)], NOT_GOOD[_lang(language)]


def offer_buttons(bookable: bool, language: str) -> tuple[str, str]:
    """Book (a service) or Yes, I'd like it (a product), then No, thanks."""
    lang = _lang(language)
    return (BOOK if bookable else WANT)[lang], NO_THANKS[lang]


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


_NOT_BAD = _words(
    r"не\s*плох\w*", r"ничего\s+плох\w*", r"не\s+пожалел\w*", r"не\s+больно", r"без\s+(?:нарекани|замечани)\w*",
    r"(?:нет|никаких)\s+(?:претензи|замечани|нарекани)\w*", r"not\s+(?:too\s+|that\s+)?bad",
    r"nothing\s+bad", r"no\s+complaints?", r"can'?t\s+complain", r"couldn'?t\s+be\s+better",
)  # fmt: skip
"""Praise in negative words ("неплохо", "no complaints"): happy."""
_BAD_WORDS = (
    r"плох\w*", r"ужас\w*", r"кошмар\w*", r"отвратит\w*", r"не\s+понрав\w*", r"не\s+нрав\w*",
    r"не\s+очень", r"не\s+особо", r"не\s+совсем", r"так\s+себе", r"разочаров\w*", r"недовол\w*",
    r"не\s+довол\w*", r"не\s+хорош\w*", r"не\s+то", r"не\s+так", r"хуже", r"не\s*нормальн\w*",
    r"bad", r"terribl\w*", r"awful", r"horribl\w*", r"poor\w*", r"disappoint\w*", r"unhappy",
    r"not\s+(?:happy|good|great|ok|okay|really|satisfied|so\s+good|very\s+good|what\s+i)\w*",
    r"didn'?t\s+(?:like|love|enjoy)", r"did\s+not\s+(?:like|love|enjoy)", r"hated?", r"meh", r"worse",
    r"worst", r"so-so", r"so\s+so", r"ну\s+такое", r"такое\s+себе", r"средн\w*", r"сойд[её]т",
    r"могло\s+быть\s+лучше", r"could\s+(?:have\s+)?be(?:en)?\s+better", r"average", r"mediocre",
)  # fmt: skip
"""How it went, badly: the words say nothing more about what went wrong."""
_COMPLAINTS = (
    r"жалоб\w*", r"претензи\w*", r"\w*испорт\w*", r"обид\w*", r"(?:на)?груб\w*", r"(?:на)?хами\w*",
    r"хамств\w*", r"хамск\w*", r"опозд\w*", r"больно", r"сломал\w*", r"сломан\w*", r"complain\w*", r"broken", r"damaged", r"rude", r"late",
)  # fmt: skip
"""What went wrong: these words are a complaint and its details at once."""
_BAD = _words(*_BAD_WORDS, *_COMPLAINTS)
_BAD_ONLY = _words(*_BAD_WORDS)
_BAD_SIGNS = re.compile("[👎😞😡😠☹🙁😕😢😤]")
_GOOD = _words(
    r"отличн\w*", r"хорош\w*", r"понравил\w*", r"нравит\w*", r"супер\w*", r"класс\w*", r"прекрасн\w*",
    r"замечательн\w*", r"чудесн\w*", r"великолепн\w*", r"довол(?:ен|ьна|ьны)", r"спасибо", r"благодар\w*",
    r"восторг\w*", r"шикарн\w*", r"идеальн\w*", r"в\s+порядке", r"нормальн\w*", r"пят[её]рк\w*", r"ок",
    r"окей", r"круто", r"кайф\w*", r"good", r"great", r"excellent", r"perfect\w*", r"lov(?:e|ed|es|ing|ely)",
    r"liked?", r"happy", r"satisfied", r"amazing", r"awesome", r"wonderful", r"fantastic", r"fine",
    r"brilliant", r"nice", r"thanks?", r"thank\s+you", r"ok(?:ay)?", r"five\s+stars?",
)  # fmt: skip
_GOOD_SIGNS = re.compile("[👍😊❤🥰😍🔥👌💯✨🙂😀😃]")
_BUT = _words(r"но", r"однако", r"хотя", r"только", r"but", r"however", r"although", r"though", r"except")
_OUT_OF = re.compile(r"(?<![\d.,])([1-5])\s*(?:/|из|out\s+of)\s*5(?![\d.,])")
_LEADING = re.compile(
    r"^\W*(?:(?:на|оценка|оцениваю|ставлю|rating|i\s+give|i'?d\s+give|give)\s*(?:(?:на|it|a)\s+)*:?\s*)?"
    r"([1-5])(?![\d.,:])(?!\s*(?:час|минут|дн|день|раз|мастер|hour|min|day|time))",
)
_FILLER = frozenset(
    [
        "мне",
        "нам",
        "все",
        "всё",
        "было",
        "был",
        "была",
        "очень",
        "совсем",
        "вообще",
        "как",
        "то",
        "это",
        "так",
        "ну",
        "и",
        "а",
        "в",
        "на",
        "с",
        "у",
        "же",
        "бы",
        "прям",
        "прямо",
        "просто",
        "честно",
        "говоря",
        "оценка",
        "ставлю",
        "я",
        "мы",
        "вам",
        "вас",
        "ваш",
        "ваша",
        "i",
        "it",
        "it's",
        "was",
        "is",
        "the",
        "a",
        "an",
        "very",
        "really",
        "all",
        "at",
        "so",
        "to",
        "me",
        "my",
        "we",
        "us",
        "just",
        "quite",
        "honestly",
        "overall",
        "everything",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"\w+")


def _folded(text: str) -> str:
    return text.lower().replace("ё", "е")


def rating_of(text: str) -> int | None:
    """A score from 1 to 5 in the answer ("5", "4/5", "на 3", "⭐⭐⭐⭐"), if it gives one."""
    low = _folded(text).strip()
    found = _OUT_OF.search(low) or _LEADING.match(low)
    if found:
        return int(found.group(1))
    stars = low.count("⭐") + low.count("★")
    if 1 <= stars <= 5 and not _WORD.search(low):
        return stars
    return None


def feeling_of(meaning: Understanding, *, rating_scale: bool) -> Feeling | None:
    """Happy or unhappy, or None when the message is not an answer to the question.

    With 👍 / 👎 buttons a bare "1" or "2" picks a button (channels that number them); with a
    1–5 scale it is the score: 1–3 unhappy, 4–5 happy.
    """
    text = meaning.text.strip()
    low = _folded(text)
    if not rating_scale and low.rstrip(".)") in {"1", "2"}:
        return Feeling.HAPPY if low.startswith("1") else Feeling.UNHAPPY
    score = rating_of(text)
    if score is not None:
        return Feeling.HAPPY if score >= 4 else Feeling.UNHAPPY
    not_bad = bool(_NOT_BAD.search(low))
    rest = _NOT_BAD.sub(" ", low)
    if _BAD.search(rest) or _BAD_SIGNS.search(rest) or meaning.negative:
        return Feeling.UNHAPPY
    if not_bad or _GOOD.search(rest) or _GOOD_SIGNS.search(rest):
        but = _BUT.search(rest)
        remark = but is not None and len(_WORD.findall(rest[but.end() :])) >= 2
        return Feeling.UNHAPPY if remark else Feeling.HAPPY
    choice = meaning.entities.choice
    if choice is not None and choice.kind is ChoiceKind.YES:
        return Feeling.HAPPY
    if choice is not None and choice.kind is ChoiceKind.NO:
        return Feeling.UNHAPPY
    return None


def has_details(text: str) -> bool:
    """Whether the answer says more than how it went ("не понравилось" no; "мастер опоздала" yes)."""
    rest = _folded(text)
    for pattern in (_NOT_BAD, _BAD_ONLY, _GOOD, _BUT, _OUT_OF):
        rest = pattern.sub(" ", rest)
    words = [w for w in _WORD.findall(rest) if w not in _FILLER and not w.isdigit()]
    return len(words) >= 2


def offer_answer(meaning: Understanding, *, bookable: bool, language: str) -> bool | None:
    """Yes (True) or no (False) to the offer, or None when the message is something else."""
    text = meaning.text.strip().lower().rstrip(".!)")
    lang = _lang(language)
    if text in {(BOOK if bookable else WANT)[lang].lower(), "1"}:
        return True
    if text in {NO_THANKS[lang].lower(), "2"}:
        return False
    choice = meaning.entities.choice
    if choice is not None and choice.kind in {ChoiceKind.YES, ChoiceKind.NO}:
        return choice.kind is ChoiceKind.YES
    return None


@dataclass(frozen=True)
class Complement:
    """A service or product of the catalog to offer after the work was done."""

    id: str
    kind: Literal["service", "product"]


def _complement(playbook: Playbook, item_id: str) -> Complement | None:
    if any(s.id == item_id for s in playbook.services):
        return Complement(item_id, "service")
    if any(p.id == item_id for p in playbook.products):
        return Complement(item_id, "product")
    return None


def complement_of_service(playbook: Playbook, service_id: str) -> Complement | None:
    """The first of the service's `upsell` items that the catalog has (None: no offer)."""
    service = next((s for s in playbook.services if s.id == service_id), None)
    if service is None:
        return None
    return next((c for c in (_complement(playbook, i) for i in service.upsell) if c is not None), None)


def complement_of_order(playbook: Playbook, product_ids: list[str]) -> Complement | None:
    """The first `complements` item of the order's products that is not in the order already."""
    for product in (p for p in playbook.products if p.id in product_ids):
        for item_id in product.complements:
            found = _complement(playbook, item_id) if item_id not in product_ids else None
            if found is not None:
                return found
    return None
