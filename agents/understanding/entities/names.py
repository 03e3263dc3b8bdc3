"""The customer's name: "меня зовут Анна", "я Анна", "My name is John", "I'm John Smith", or a bare answer."""

from __future__ import annotations

import re

from agents.understanding.entities._morph import is_known_word, name_kind
from agents.understanding.entities._normalize import Found, Text, title_case

_WORD = r"[^\W\d_]+(?:[-'][^\W\d_]+)?"
_NAME = rf"(?P<w1>{_WORD})(?:\s+(?P<w2>{_WORD}))?(?:\s+(?P<w3>{_WORD}))?"
_LENIENT = re.compile(
    r"(?<!\w)(?:меня\s+зовут|зовут\s+меня|меня\s+звать|мо[её]\s+имя|имя\s*[:=-]|зовите\s+меня|можно\s+просто"
    r"|my\s+name\s+is|my\s+name'?s|name\s*[:=-]|(?:you\s+can\s+)?call\s+me|i\s+am\s+called|the\s+name'?s)"
    rf"\s*[:,-]?\s*{_NAME}"
)
_REVERSED = re.compile(rf"(?<!\w)меня\s+(?P<w1>{_WORD})(?:\s+(?P<w2>{_WORD}))?\s+зовут(?!\w)")
_STRICT = re.compile(
    rf"(?<!\w)(?:я|это|i\s*'?\s*m|i\s+am|this\s+is|it\s*'?s|its|here\s+is|с\s+вами)\s*[,-]?\s+{_NAME}"
)

_STOP_WORDS = """
    хочу хотела хотел хотим хотелось бы не ни тоже уже буду была был могу можно думаю записана записан записаться
    здесь тут с со в во на по из к у о об за от до и а но или только просто сейчас ваш ваша ваше клиент клиентка
    готов готова согласен согласна рада рад понял поняла вас вам вы мы он она они его ее там так как что кто где
    когда потом опять снова еще очень сама сам пишу звоню спрашиваю нужно надо интересуюсь насчет ок да нет
    спасибо привет здравствуйте добрый доброе день вечер утро мастер администратор новый новая постоянный
    постоянная тот та то такой такая же ли уточнить узнать записывалась записывался хотела бы вот ещё хорошо
    отлично нормально конечно была был было правда точно сегодня завтра нормально ладно
    fine good ok okay here interested looking not so sorry just also available free busy a an the from in at
    on ready going new back sure glad happy trying calling writing wondering asking afraid late running coming
    having thinking planning about very really still currently booked your customer client with and or but to
    for hoping well great alright done sick waiting unable able booking texting messaging over there that this
    it is was be after before home out curious gonna going looking want wanting would like need needing yes no
    hi hello hey thanks thank me my you we he she they him her them our us doing feeling open closed today
    tomorrow tonight now confused interested excited back first second last
"""
_STOP = frozenset(_STOP_WORDS.split())


def _words(m: re.Match[str]) -> list[tuple[str, str, int, int]]:
    found = []
    for key in ("w1", "w2", "w3"):
        if m.groupdict().get(key):
            found.append((m[key], m.string[m.start(key) : m.end(key)], m.start(key), m.end(key)))
    return found


def _capitalised(raw_text: str, start: int) -> bool:
    return raw_text[start].isupper()


def _kind(word: str) -> str | None:
    kinds = {name_kind(part) for part in word.split("-")}
    return kinds.pop() if len(kinds) == 1 else None


def _ordinary_word(word: str) -> bool:
    return _kind(word) is None and all(is_known_word(part) for part in word.split("-"))


def _accept_first(word: str, raw: str, start: int, strict: bool) -> bool:
    if word in _STOP or len(word) < 2:
        return False
    if not strict:
        return True
    if _kind(word) == "name":
        return True
    return _capitalised(raw, start) and not _ordinary_word(word)


def _accept_next(word: str, raw: str, start: int, position: int, strict: bool) -> bool:
    if word in _STOP or len(word) < 2:
        return False
    kind = _kind(word)
    if position == 3:
        return kind in {"patronymic", "surname"}
    if kind in {"surname", "patronymic", "name"} or _capitalised(raw, start):
        return True
    return not strict and not _ordinary_word(word)


def _name(text: Text, m: re.Match[str], strict: bool) -> Found[str] | None:
    words = _words(m)
    if not words or not _accept_first(words[0][0], text.raw, words[0][2], strict):
        return None
    chosen = [words[0]]
    for position, word in enumerate(words[1:], 2):
        if not _accept_next(word[0], text.raw, word[2], position, strict):
            break
        chosen.append(word)
    value = " ".join(title_case(text.raw[start:end]) for _, _, start, end in chosen)
    return Found(chosen[0][2], chosen[-1][3], value)


def find_name(text: Text, *, expecting: str | None = None) -> Found[str] | None:
    """The name the customer gave, properly capitalised, with its span; a bare name counts when asked for."""
    for pattern, strict in ((_LENIENT, False), (_REVERSED, False), (_STRICT, True)):
        for m in pattern.finditer(text.low):
            found = _name(text, m, strict)
            if found is not None:
                return found
    if expecting != "name":
        return None
    bare = re.fullmatch(rf"[\s,.!?;:)(-]*{_NAME}[\s,.!?;:)(-]*", text.low)
    if bare is None:
        return None
    words = _words(bare)
    if any(word in _STOP or len(word) < 2 for word, *_ in words) or _ordinary_word(words[0][0]):
        return None
    value = " ".join(title_case(text.raw[start:end]) for _, _, start, end in words)
    return Found(words[0][2], words[-1][3], value)


def parse_name(text: str, *, expecting: str | None = None) -> str | None:
    """The customer's name in `text` ("меня зовут анна" → ``Анна``), or None (never "I'm fine")."""
    found = find_name(Text.of(text), expecting=expecting)
    return found.value if found else None
