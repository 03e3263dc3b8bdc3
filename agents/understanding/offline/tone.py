"""Negative tone: is the customer angry or upset?

Signals add up: a strong word or phrase ("ужас", "scam", "это уже третий раз")
counts 2, a weak one ("disappointed", "опять", "до сих пор") counts 1, "!!!" or
"?!" counts 1, and shouting (three or more words in capitals) counts 2. A message
scoring 2 or more is negative, so "thanks!!!" is not, but "still waiting!!!" is.
A negation just before a word cancels it ("not bad", "не страшно"), and
reassurances ("no problem", "ничего страшного") never count.
"""

from __future__ import annotations

import re

from agents.understanding.offline.language import Language
from agents.understanding.offline.text import normalize, words

_STRONG_STEMS: dict[Language, tuple[str, ...]] = {
    "en": (
        "terribl", "horribl", "horrend", "awful", "worst", "scam", "ridiculous", "disgust", "unacceptabl",
        "outrageous", "pathetic", "useless", "incompetent", "ripoff", "fraud", "furious", "livid", "appalling",
        "shameful", "disgrace", "fuck", "shit", "bullshit", "wtf", "crap", "idiot", "stupid",
        "rubbish", "garbage", "nightmare",
    ),
    "ru": (
        "ужас", "безобраз", "отвратит", "кошмар", "позор", "обман", "мошенн", "хамств", "хамск", "хамло",
        "издева", "задолбал", "бесит", "бесят", "возмутит", "отстой", "кидалов", "лохотрон", "ненавиж",
        "худш", "идиот", "дебил", "тупые", "тупой", "бардак", "блят", "бляд", "пизд", "хуйн", "хрен", "сука",
        "ебан", "охренел", "офигел", "обнаглел", "наглост", "халтур", "жуткий", "жутко", "говно",
    ),
}  # fmt: skip
_STRONG_WORDS: dict[Language, frozenset[str]] = {
    "en": frozenset({"mad", "angry", "sucks", "worse", "lied", "liars", "cheated", "cheat"}),
    "ru": frozenset({"бля", "трындец", "врете", "обманули", "кинули"}),
}
_NOT_STRONG = frozenset({"terribly", "awfully", "jokes"})
_WEAK_STEMS: dict[Language, tuple[str, ...]] = {
    "en": ("disappoint", "unhappy", "annoy", "frustrat", "upset", "complain", "unprofession", "rude", "poor", "hate"),
    "ru": ("разочаров", "недовол", "плох", "жалоб", "грубо", "груби", "непрофесс", "возмущ", "обидно", "безответствен",
           "блин", "капец", "жесть"),
}  # fmt: skip
_STRONG_PHRASES: dict[Language, tuple[str, ...]] = {
    "en": ("third time", "how many more times", "what a joke", "is this a joke", "are you kidding", "are you joking",
           "what the hell", "i will sue", "fed up", "sick of", "sick and tired", "never again", "waste of time",
           "waste of money"),
    "ru": ("третий раз", "который раз", "вы издеваетесь", "вы серьезно", "какого черта",
           "в суд", "роспотребнадзор", "больше никогда", "верните деньги немедленно", "что за дела"),
}  # fmt: skip
_PHRASES: dict[Language, tuple[str, ...]] = {
    "en": (
        "still waiting", "still not", "still no", "still haven't",
        "still hasn't", "yet again", "not happy", "waited for",
        "nobody answers", "no one answers", "nobody replies", "immediately", "money back now", "seriously",
        "report you", "again?",
    ),
    "ru": (
        "до сих пор", "опять", "снова не", "никто не отвечает", "никто не перезвонил", "немедленно",
        "сейчас же", "верните деньги", "это нормально", "куда смотрите", "прокуратур", "это не нормально",
        "это ненормально", "жалобу",
    ),
}  # fmt: skip
_REASSURANCES: dict[Language, tuple[str, ...]] = {
    "en": ("no problem", "no worries", "not a problem", "not bad", "no big deal", "never mind", "dont worry",
           "don't worry", "it's fine", "its fine", "that's fine", "not terrible", "not the worst"),
    "ru": ("не страшно", "ничего страшного", "не проблема", "без проблем", "не беда", "не плохо", "неплохо",
           "все нормально", "все хорошо", "ничего ужасного", "не ужасно"),
}  # fmt: skip
_NEGATIONS = frozenset({"not", "no", "never", "isn't", "wasn't", "не", "ни", "нисколько"})
_STRONG_PATTERNS = re.compile(
    r"\bсколько можно\s*(?:ждать|терпеть|повторять|просить|писать|звонить|уже|[?!.]|$)"
    r"|\bhow many times (?:do|must|should|have|will) i (?:have to |need to )?(?:ask|tell|write|call|repeat|say)"
)
"""Strong signals that need context: "сколько можно ждать" but not "через сколько можно ходить"."""
_EXCLAIM = re.compile(r"!{3,}|\?!|!\?|\?{4,}")
_SHOUT_WORDS = 3
_SHOUT_LETTERS = 10
_SHOUT_SHARE = 0.8


def tone_score(text: str, language: Language) -> int:
    """How strongly `text` reads as negative: 0 for neutral, 2 or more for negative.

    `language` is the message's language; the other language's words count too,
    for mixed messages (the two lexicons cannot collide: different alphabets).
    """
    languages: tuple[Language, ...] = ("en", "ru") if language == "en" else ("ru", "en")
    lowered = normalize(text)
    for lang in languages:
        for reassurance in _REASSURANCES[lang]:
            lowered = lowered.replace(reassurance, " ")
    tokens = words(lowered)
    padded = f" {' '.join(tokens)} "
    score = 0
    for lang in languages:
        for index, token in enumerate(tokens):
            if (index > 0 and tokens[index - 1] in _NEGATIONS) or token in _NOT_STRONG:
                continue
            if token in _STRONG_WORDS[lang] or token.startswith(_STRONG_STEMS[lang]):
                score += 2
            elif token.startswith(_WEAK_STEMS[lang]):
                score += 1
        score += 2 * sum(1 for phrase in _STRONG_PHRASES[lang] if _has(padded, lowered, phrase))
        score += sum(1 for phrase in _PHRASES[lang] if _has(padded, lowered, phrase))
    score += 2 * len(_STRONG_PATTERNS.findall(lowered))
    if _EXCLAIM.search(text):
        score += 1
    if is_shouting(text):
        score += 2
    return score


def _has(padded_words: str, lowered: str, phrase: str) -> bool:
    """Whether `phrase` occurs as whole words (verbatim when it holds punctuation, like "again?")."""
    if phrase.replace(" ", "").replace("'", "").isalpha():
        return f" {phrase} " in padded_words
    return phrase in lowered


def is_shouting(text: str) -> bool:
    """Whether `text` is written in capitals: three or more words, mostly upper-case letters."""
    letters = [char for char in text if char.isalpha()]
    if len(words(text)) < _SHOUT_WORDS or len(letters) < _SHOUT_LETTERS:
        return False
    return sum(1 for char in letters if char.isupper()) / len(letters) >= _SHOUT_SHARE


def is_negative(text: str, language: Language) -> bool:
    """Whether `text` is angry or upset (see the module docstring for the scoring)."""
    return tone_score(text, language) >= 2
