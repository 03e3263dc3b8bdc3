"""Reading a customer's answer to a booking reminder, in both languages, with the studio's offline understanding."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from agents.base import Turn
from agents.booking_reminder import EXPECTING, ReminderAnswer, read_answer
from agents.context import RunDeps
from agents.understanding import DialogueContext
from tests.dialogues.conftest import understander
from tools.ids import ContactId

NOW = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)
OFFERED = (
    "2027-03-03T10:00:00+03:00|2027-03-03T11:00:00+03:00|anna|",
    "2027-03-04T16:00:00+03:00|2027-03-04T17:00:00+03:00|anna|",
)


def _turn(text: str, *, offered: tuple[str, ...] = ()) -> Turn:
    studio = understander("studio")
    context = DialogueContext(now=NOW, language=None, expecting=EXPECTING, active_agent="booking")
    meaning = studio.understand_now(text, context)
    playbook = SimpleNamespace(business=SimpleNamespace(zone=ZoneInfo("Europe/Moscow")))
    return Turn(
        meaning=meaning,
        slots={"mode": "reminder", "booking": "bk_1"},
        shared={},
        expecting=EXPECTING,
        offered=offered,
        language=meaning.language,
        conversation_id="telegram:1",
        contact_id=ContactId("ct_1"),
        channel="telegram",
        message_id="m1",
        deps=cast(RunDeps, SimpleNamespace(playbook=playbook)),
    )


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Подтверждаю", ReminderAnswer.CONFIRM),
        ("да, буду", ReminderAnswer.CONFIRM),
        ("Да", ReminderAnswer.CONFIRM),
        ("приду, спасибо", ReminderAnswer.CONFIRM),
        ("1", ReminderAnswer.CONFIRM),
        ("Confirm", ReminderAnswer.CONFIRM),
        ("yes, see you tomorrow", ReminderAnswer.CONFIRM),
        ("Перенести", ReminderAnswer.MOVE),
        ("2", ReminderAnswer.MOVE),
        ("не смогу, давайте на другой день", ReminderAnswer.MOVE),
        ("не приду завтра", ReminderAnswer.MOVE),
        ("нет", ReminderAnswer.MOVE),
        ("можно перенести на пятницу вечером?", ReminderAnswer.MOVE),
        ("I can't make it, can we move it?", ReminderAnswer.MOVE),
        ("Reschedule", ReminderAnswer.MOVE),
        ("отмените запись", ReminderAnswer.CANCEL),
        ("please cancel", ReminderAnswer.CANCEL),
        ("а сколько стоит педикюр?", ReminderAnswer.UNCLEAR),
    ],
)
def test_an_answer_to_the_reminder(text: str, answer: ReminderAnswer) -> None:
    assert read_answer(_turn(text))[0] is answer


@pytest.mark.parametrize(
    ("text", "answer", "picked"),
    [
        ("1", ReminderAnswer.PICKED, OFFERED[0]),
        ("второй", ReminderAnswer.PICKED, OFFERED[1]),
        ("3", ReminderAnswer.CONFIRM, None),
        ("Оставить как есть", ReminderAnswer.CONFIRM, None),
        ("Keep my time", ReminderAnswer.CONFIRM, None),
        ("да, приду как записана", ReminderAnswer.CONFIRM, None),
        ("нет, другое время", ReminderAnswer.MOVE, None),
    ],
)
def test_an_answer_to_the_follow_up_with_two_other_times(
    text: str, answer: ReminderAnswer, picked: str | None
) -> None:
    assert read_answer(_turn(text, offered=OFFERED)) == (answer, picked)
