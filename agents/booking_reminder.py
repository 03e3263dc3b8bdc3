"""Answers to a booking reminder: confirm it, move it (to an alternative offered, or to new times), or cancel it.

A reminder asks "confirm or reschedule?"; a reminder left unanswered is followed up once with
two other free times. The customer's answer reaches the booking coordinator with the booking in
its slots (``mode: reminder``), as if the coordinator had asked.
"""

from __future__ import annotations

import re
from enum import StrEnum

from agents.base import Turn
from agents.booking_choice import pick_offered
from agents.understanding import ChoiceKind
from tools.intents import Intent

SURE_INTENT = 0.55
"""Without the words, a cancel or reschedule intent counts only this sure."""
EXPECTING = "confirm:reminder"
"""What a reminder asks for: a confirmation, a move or a cancellation."""

CONFIRM = {"en": "Confirm", "ru": "Подтверждаю"}
RESCHEDULE = {"en": "Reschedule", "ru": "Перенести"}
KEEP = {"en": "Keep my time", "ru": "Оставить как есть"}

_CONFIRMS = re.compile(
    r"\b(confirm\w*|yes|yep|sure|ok(ay)?|i'?ll (be there|come)|i will (be there|come)|see you|still on|coming)\b"
    r"|подтвер|\bда\b|\bбуду\b|\bприду\b|\bпридём\b|\bпридем\b|в силе|\bок\b|конечно|оставить|оставьте|оставляем",
    re.IGNORECASE,
)
_MOVES = re.compile(
    r"reschedul|\bmove\b|another (time|day)|other time|different time|can'?t (make|come)|cannot (make|come)|"
    r"won'?t (make|be able)|перен|друго[ей] (время|день)|не смогу|не получится|не успева|не приду",
    re.IGNORECASE,
)
_CANCELS = re.compile(r"\bcancel|отмен", re.IGNORECASE)


class ReminderAnswer(StrEnum):
    """What the customer answered to a reminder."""

    CONFIRM = "confirm"
    MOVE = "move"
    CANCEL = "cancel"
    PICKED = "picked"
    """One of the alternative times offered."""
    UNCLEAR = "unclear"


def reminder_buttons(language: str) -> tuple[str, str]:
    """The reminder's quick answers."""
    lang = "ru" if language == "ru" else "en"
    return CONFIRM[lang], RESCHEDULE[lang]


def alternative_buttons(language: str, times: list[str]) -> tuple[str, ...]:
    """The follow-up's answers: each alternative time, then keeping the booked one."""
    lang = "ru" if language == "ru" else "en"
    return (*times, KEEP[lang])


def read_answer(turn: Turn) -> tuple[ReminderAnswer, str | None]:
    """The customer's answer, and the offered time picked (for `PICKED`)."""
    text = turn.meaning.text.strip().lower().lstrip("#").rstrip(".)!")
    offered = turn.offered
    if offered:
        picked = pick_offered(turn.meaning, offered, turn.deps.playbook.business.zone)
        if picked is not None:
            return ReminderAnswer.PICKED, picked
    if text.isdigit():
        number = int(text)
        if offered:
            return (ReminderAnswer.CONFIRM if number == len(offered) + 1 else ReminderAnswer.UNCLEAR), None
        return {1: ReminderAnswer.CONFIRM, 2: ReminderAnswer.MOVE}.get(number, ReminderAnswer.UNCLEAR), None
    labels = {label.lower() for labels in (CONFIRM, KEEP) for label in labels.values()}
    if text in labels:
        return ReminderAnswer.CONFIRM, None
    if text in {label.lower() for label in RESCHEDULE.values()}:
        return ReminderAnswer.MOVE, None
    intent = turn.meaning.intent
    choice = turn.meaning.entities.choice
    sure = turn.meaning.confidence >= SURE_INTENT
    if _CANCELS.search(text):
        return ReminderAnswer.CANCEL, None
    if _MOVES.search(text):
        return ReminderAnswer.MOVE, None
    if (choice is not None and choice.kind is ChoiceKind.YES) or _CONFIRMS.search(text):
        return ReminderAnswer.CONFIRM, None
    if intent is Intent.BOOKING_CANCEL and sure:
        return ReminderAnswer.CANCEL, None
    if intent is Intent.BOOKING_RESCHEDULE and sure:
        return ReminderAnswer.MOVE, None
    if (choice is not None and choice.kind is ChoiceKind.NO) or turn.meaning.entities.dates:
        return ReminderAnswer.MOVE, None
    return ReminderAnswer.UNCLEAR, None
