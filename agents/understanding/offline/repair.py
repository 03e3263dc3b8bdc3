"""Conversation-repair commands: correct, cancel, skip, ask for a person, opt out.

Checked in that order of precedence: opt-out, human, correction, cancel, skip.
The patterns are deliberately narrow: "stop" opts out only as the whole message
or with what to stop ("stop sending me reminders", not "the bus stop"); a bare
"нет" / "no" is no command at all; a correction needs a marker ("actually",
"точнее", "i meant", "не 5, а 6") and, for the loose markers, a new value (a
number, a day, a time); "don't know" / "не знаю" skips only when a question is
pending (`expecting` is set), while "skip" / "пропустить" always does.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agents.understanding.model import Repair
from agents.understanding.offline.language import Language
from agents.understanding.offline.text import normalize, words

_FILLERS = frozenset(
    words(
        """
    please pls plz thanks thank you ok okay oh um uh hmm well so just then sorry now all guys no
    wait yet actually really that this it lol пожалуйста пж спасибо ок окей ну ой ладно тогда уже
    все короче вообще давайте да нет а же блин пока извините простите ещё еще этот эту это
    вопрос question
        """
    )
)
_VALUE_WORDS = re.compile(
    r"\b(?:\d+|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|today|tomorrow|tonight|morning|afternoon|evening|noon|am|pm|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|first|second|third|last|next|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*"
    r"|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*"
    r"|понедельник\w*|вторник\w*|сред\w*|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*|пн|вт|ср|чт|пт|сб|вс"
    r"|сегодня|завтра|послезавтра|утр\w*|вечер\w*|обед\w*|днем|ночью|один|одна|два|две|три|четыре|пять"
    r"|шесть|семь|восемь|девять|десять|первы\w*|втор\w*|треть\w*|последн\w*|следующ\w*"
    r"|январ\w*|феврал\w*|март\w*|апрел\w*|ма[яй]|июн\w*|июл\w*|август\w*|сентябр\w*|октябр\w*"
    r"|ноябр\w*|декабр\w*)\b"
)

_OPT_OUT_ALONE = frozenset(
    {"stop", "unsubscribe", "unsub", "optout", "стоп", "отписаться", "отписка", "отпишите"}
)
_OPT_OUT = re.compile(
    r"\bunsubscribe\b|\bopt[\s-]?out\b|\bleave me alone\b"
    r"|\bstop (?:sending|texting|messaging|emailing|spamming|writing|contacting|calling|bothering|the (?:messages"
    r"|texts|newsletter|notifications|reminders|promos|spam|mailing))\b"
    r"|\b(?:do not|don't|dont|never) (?:text|message|contact|write|email|call|send)\w* (?:me|us)\b"
    r"|\b(?:remove|delete|take) (?:me|my (?:number|phone|email|contact))\b.{0,20}\b(?:from|off) (?:your |the |all |this )?"
    r"(?:list|mailing|contact|database|newsletter|spam|marketing|whatsapp|sms|messages|texts)"
    r"|\bno more (?:messages|texts|reminders|promos|promotions|emails|spam|notifications|marketing|offers)\b"
    r"|\bотпиш|\bотписат|\bотписк"
    r"|\bне (?:пишите|присылайте|звоните|беспокойте|отправляйте|шлите) (?:мне|нам|больше)"
    r"|\bбольше (?:мне )?не (?:пишите|присылайте|звоните|беспокойте|отправляйте|шлите)"
    r"|\bхватит (?:мне )?(?:писать|присылать|слать|спамить|звонить|названивать)"
    r"|\bперестаньте (?:мне )?(?:писать|присылать|слать|звонить|спамить)"
    r"|\b(?:удалите|уберите|исключите) (?:меня|мой (?:номер|телефон|контакт)) (?:из|с) (?:вашей |вашего |ваших |всех )?"
    r"(?:рассылк|баз|списк|контакт|чат|ватсап|whatsapp|вайбер|телеграм|смс)"
    r"|\bне (?:надо|нужно|хочу)(?: мне)?(?: больше)? (?:рассылк|напоминани|акци|сообщени|получать рассылк)"
)

_HUMAN_ALONE = frozenset(
    {"human", "operator", "agent", "manager", "representative", "оператор", "оператора", "менеджер", "менеджера",
     "администратор", "администратора", "админ", "админа", "человек", "человека"}
)  # fmt: skip
_HUMAN = re.compile(
    r"\b(?:a|an|to|real|actual|some|live|get|need|want)\s+human\b(?!\s+(?:hair|resources|error|rights|body))"
    r"|\bhuman (?:please|pls|agent|being)\b|\blive (?:agent|person|operator|support)\b"
    r"|\breal (?:person|people|agent)\b|\boperator\b"
    r"|\b(?:talk|speak|chat) (?:to|with) (?:a |an |the |your |some |a real )?(?:person|human|manager|someone"
    r"|somebody|agent|representative|rep|owner|boss|supervisor|administrator|admin|staff|operator)\b"
    r"|\b(?:connect|transfer|put) me (?:to|through|with)\b"
    r"|\b(?:want|need) a (?:real |live )?person\b|\bperson (?:please|pls)\b"
    r"|\b(?:not|don't|dont) (?:want )?(?:to talk |to chat )?(?:to |with )?(?:a |the |this )?bot\b"
    r"|\bне хочу (?:общаться |говорить |разговаривать |переписываться )?с бот|\bчеловек нужен\b"
    r"|\bс (?:настоящим|живым) (?:человеком|сотрудником|оператором)"
    r"|\bоператор|\bживо(?:й|го|му|м) (?:человек|сотрудник|оператор)|\bс живым\b|\bживого\b"
    r"|\b(?:позовите|позови|позвать|дайте|дай|соедините|соедини|переключите|свяжите)\b[^.?!]{0,20}?"
    r"\b(?:менеджер|администратор|админ|руководител|директор|человек|оператор|управляющ|старш|сотрудник)"
    r"|\b(?:нужен|нужна|нужно|хочу) (?:живой |живого |настоящего |настоящий )?(?:человек|оператор|менеджер)\w*$"
    r"|\b(?:можно|хочу|хотелось бы) (?:с|со) (?:менеджер|администратор|админ|руководител|директор|человек"
    r"|оператор|управляющ|живым|сотрудник)"
    r"|\b(?:поговорить|говорить|общаться) с (?:менеджер|руководител|человек|живым|администратор|оператор"
    r"|владельц|директор)"
)

_CORRECT_MARKER = re.compile(
    r"\b(?:i meant|i mean|meant to say|correction|typo|i made a mistake|my mistake|my bad|wrong number"
    r"|i misspoke|i was wrong|точнее|вернее|ошибся|ошиблась|ошибочка|опечатка|опечатался|опечаталась"
    r"|имел в виду|имела в виду|поправка|поправлюсь|исправлюсь|перепутал|перепутала"
    r"|неправильно (?:написал|написала|указал|указала)|не так (?:написал|написала|указал|указала))\b"
)
_CORRECT_START = re.compile(
    r"^(?:actually|no wait|wait|oops|make (?:it|that)|rather|or rather|sorry|no|nope|change (?:it|that) to"
    r"|ой|стоп|подождите|погодите|а нет|хотя нет|хотя|нет|неа|давайте лучше|лучше|передумал\w*)\b"
)
_CORRECT_NOT_BUT = re.compile(
    r"\bnot\s+[^,]{1,20}?(?:,|\bbut\b)\s*(?P<new>.+)|\bне\s+[^,]{1,20}?,?\s+а\s+(?P<ru>.+)"
)
_CORRECT_MAX_WORDS = 8
_MARKER_LEAD = 2
"""A correction marker counts within the first words ("ой, я ошибся") …"""
_SHORT_MESSAGE = 5
"""… or anywhere in a short message; "the previous invoice had a typo" is no correction."""

_CANCEL_PHRASES = (
    "never mind", "nevermind", "nvm", "forget it", "forget about it", "forget that", "scratch that",
    "changed my mind", "change of plans", "cancel that", "cancel", "don't bother", "dont bother", "no need",
    "передумал", "передумала", "передумали", "отмена", "отмени", "отменяю", "отбой", "не надо", "не нужно",
    "забудьте", "забей", "проехали", "неважно", "не важно",
)  # fmt: skip
_SKIP_ALWAYS = (
    "skip", "skip it", "skip this", "skip that", "pass", "next question", "rather not say", "prefer not to say",
    "i'd rather not", "no comment", "пропустить", "пропусти", "пропустите", "пропускаю", "пропустим", "дальше",
    "следующий вопрос", "не скажу", "не хочу говорить", "без комментариев",
)  # fmt: skip
_SKIP_UNSURE = (
    "don't know", "dont know", "do not know", "idk", "dunno", "not sure", "no idea", "i'll tell you later",
    "tell you later", "later", "not yet", "don't remember", "dont remember", "haven't decided", "not decided",
    "не знаю", "незнаю", "хз", "без понятия", "потом скажу", "позже скажу", "скажу потом", "скажу позже",
    "не помню", "затрудняюсь ответить", "не решил", "не решила", "не решили", "потом", "позже",
)  # fmt: skip
_SKIP_SPARE_WORDS = 1
"""Words besides the phrase and fillers a skip may carry ("не знаю точно", "not sure honestly")."""


def detect_repair(text: str, language: Language, expecting: str | None = None) -> Repair | None:
    """The repair command in `text`, or None.

    `language` is the message's language (both languages' patterns are tried);
    `expecting` is the slot the last question asked for, None when no question is pending.
    """
    del language  # the patterns of both languages are tried: their alphabets differ
    lowered = normalize(text).strip()
    tokens = words(lowered)
    if not tokens:
        return None
    if _opt_out(lowered, tokens):
        return Repair.OPT_OUT
    if _human(lowered, tokens):
        return Repair.HUMAN
    if _correct(lowered, tokens):
        return Repair.CORRECT
    if _only(tokens, _CANCEL_PHRASES, spare=0):
        return Repair.CANCEL
    if _only(tokens, _SKIP_ALWAYS, spare=_SKIP_SPARE_WORDS) or (
        expecting is not None and _only(tokens, _SKIP_UNSURE, spare=_SKIP_SPARE_WORDS)
    ):
        return Repair.SKIP
    return None


def _content(tokens: list[str]) -> list[str]:
    return [token for token in tokens if token not in _FILLERS]


def _opt_out(lowered: str, tokens: list[str]) -> bool:
    content = _content(tokens)
    if len(content) == 1 and content[0] in _OPT_OUT_ALONE:
        return True
    return _OPT_OUT.search(lowered) is not None


def _human(lowered: str, tokens: list[str]) -> bool:
    content = _content(tokens)
    if content and all(token in _HUMAN_ALONE for token in content):
        return True
    return _HUMAN.search(lowered) is not None


def _correct(lowered: str, tokens: list[str]) -> bool:
    marker = _CORRECT_MARKER.search(lowered)
    if marker is not None and (
        len(words(lowered[: marker.start()])) <= _MARKER_LEAD or len(tokens) <= _SHORT_MESSAGE
    ):
        return True
    if len(tokens) > _CORRECT_MAX_WORDS:
        return False
    if _CORRECT_START.search(lowered) and _VALUE_WORDS.search(" ".join(tokens[1:])):
        return True
    contrast = _CORRECT_NOT_BUT.search(lowered)
    if contrast is None:
        return False
    new_value = contrast.group("new") or contrast.group("ru") or ""
    return _VALUE_WORDS.search(new_value) is not None


def _only(tokens: list[str], phrases: tuple[str, ...], spare: int) -> bool:
    """Whether `tokens` hold one or more of `phrases` and, besides fillers, at most `spare` other words.

    Every phrase present is taken out, so "передумал, не надо" is all cancel.
    """
    joined = f" {' '.join(tokens)} "
    found = False
    for marker in _markers(phrases):
        while marker in joined:
            joined = joined.replace(marker, " ", 1)
            found = True
    return found and len(_content(joined.split())) <= spare


@lru_cache(maxsize=64)
def _markers(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases' normalised words padded with spaces, longest phrase first (built once per tuple)."""
    return tuple(f" {' '.join(words(phrase))} " for phrase in sorted(phrases, key=len, reverse=True))
