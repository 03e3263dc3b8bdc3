"""Repair commands: correct, cancel, skip, human, opt-out, and the look-alikes that are none of them."""

from __future__ import annotations

import pytest

from agents.understanding.model import Repair
from agents.understanding.offline import Language, detect_repair


@pytest.mark.parametrize(
    ("text", "language", "expecting", "expected"),
    [
        # correct
        ("actually Friday", "en", "date", Repair.CORRECT),
        ("no wait, 6", "en", "rooms", Repair.CORRECT),
        ("sorry, I meant 3pm", "en", None, Repair.CORRECT),
        ("not 5 but 6", "en", None, Repair.CORRECT),
        ("oops wrong number, it's +7 916 000 11 22", "en", "phone", Repair.CORRECT),
        ("не 5, а 6 комнат", "ru", "rooms", Repair.CORRECT),
        ("точнее в пятницу", "ru", "date", Repair.CORRECT),
        ("ой, я ошибся", "ru", None, Repair.CORRECT),
        ("нет, в пятницу", "ru", "date", Repair.CORRECT),
        ("передумал, давайте в субботу", "ru", "date", Repair.CORRECT),
        ("стоп, не 5 а 6", "ru", None, Repair.CORRECT),
        ("опечатка, 89161234567", "ru", "phone", Repair.CORRECT),
        # cancel
        ("never mind", "en", None, Repair.CANCEL),
        ("forget it", "en", "date", Repair.CANCEL),
        ("no wait, forget it", "en", None, Repair.CANCEL),
        ("actually never mind", "en", None, Repair.CANCEL),
        ("cancel", "en", "phone", Repair.CANCEL),
        ("changed my mind", "en", None, Repair.CANCEL),
        ("передумал", "ru", None, Repair.CANCEL),
        ("отмена", "ru", "date", Repair.CANCEL),
        ("не надо", "ru", None, Repair.CANCEL),
        ("нет, не надо", "ru", None, Repair.CANCEL),
        ("ладно, проехали", "ru", None, Repair.CANCEL),
        # skip
        ("skip", "en", "email", Repair.SKIP),
        ("don't know", "en", "budget", Repair.SKIP),
        ("idk", "en", "budget", Repair.SKIP),
        ("not sure yet", "en", "date", Repair.SKIP),
        ("i'd rather not say", "en", "budget", Repair.SKIP),
        ("не знаю", "ru", "budget", Repair.SKIP),
        ("пропустить", "ru", "email", Repair.SKIP),
        ("потом скажу", "ru", "date", Repair.SKIP),
        ("хз пока", "ru", "budget", Repair.SKIP),
        ("пропустите этот вопрос", "ru", "email", Repair.SKIP),
        # human
        ("HUMAN", "en", None, Repair.HUMAN),
        ("human please", "en", "phone", Repair.HUMAN),
        ("live agent", "en", None, Repair.HUMAN),
        ("I want to speak to a manager", "en", None, Repair.HUMAN),
        ("connect me to a real person", "en", None, Repair.HUMAN),
        ("оператор", "ru", None, Repair.HUMAN),
        ("позовите человека", "ru", None, Repair.HUMAN),
        ("менеджера!", "ru", None, Repair.HUMAN),
        ("дайте живого человека", "ru", None, Repair.HUMAN),
        ("нужен живой человек", "ru", None, Repair.HUMAN),
        ("не хочу общаться с ботом", "ru", None, Repair.HUMAN),
        ("i dont want to talk to a bot", "en", None, Repair.HUMAN),
        ("можно с менеджером поговорить", "ru", None, Repair.HUMAN),
        # opt-out
        ("stop", "en", None, Repair.OPT_OUT),
        ("STOP", "en", "phone", Repair.OPT_OUT),
        ("unsubscribe", "en", None, Repair.OPT_OUT),
        ("stop sending me reminders", "en", None, Repair.OPT_OUT),
        ("please don't text me again", "en", None, Repair.OPT_OUT),
        ("remove me from your list", "en", None, Repair.OPT_OUT),
        ("стоп", "ru", None, Repair.OPT_OUT),
        ("отпишите меня", "ru", None, Repair.OPT_OUT),
        ("не пишите мне больше", "ru", None, Repair.OPT_OUT),
        ("хватит присылать рекламу", "ru", None, Repair.OPT_OUT),
        ("не надо акций", "ru", None, Repair.OPT_OUT),
        ("удалите меня из рассылки", "ru", None, Repair.OPT_OUT),
        ("take me off your contact list", "en", None, Repair.OPT_OUT),
    ],
)
def test_repair(text: str, language: Language, expecting: str | None, expected: Repair) -> None:
    assert detect_repair(text, language, expecting) is expected


@pytest.mark.parametrize(
    ("text", "language", "expecting"),
    [
        ("where is the bus stop", "en", None),
        ("can i stop by tomorrow", "en", None),
        ("no", "en", "choice"),
        ("no thanks", "en", None),
        ("the manager was rude", "en", None),
        ("my project manager said it's fine", "en", None),
        ("human hair extensions price", "en", None),
        ("i don't know how to use the app", "en", "phone"),
        ("don't know", "en", None),
        ("sorry for the late reply", "en", None),
        ("cancel my appointment", "en", None),
        ("how much is it", "en", None),
        ("нет", "ru", None),
        ("нет", "ru", "choice"),
        ("нет, спасибо", "ru", None),
        ("не знаю", "ru", None),
        ("не знаю, а сколько стоит?", "ru", "date"),
        ("отмена записи", "ru", None),
        ("не надо приезжать завтра", "ru", None),
        ("свадьба, 6 человек", "ru", None),
        ("ой спасибо", "ru", None),
        ("стоп-кран сломался", "ru", None),
        ("plz remove me from tomorrows schedule", "en", None),
        ("хочу на должность администратора", "ru", None),
        ("нужно 2 человека на переезд", "ru", None),
        ("is this a bot or a person", "en", None),
        ("уберите меня из расписания на завтра", "ru", None),
        ("updated invoice attached, the previous one had a typo", "en", None),
        ("во вложении исправленный счет, в прошлом была опечатка", "ru", None),
    ],
)
def test_no_repair(text: str, language: Language, expecting: str | None) -> None:
    assert detect_repair(text, language, expecting) is None
