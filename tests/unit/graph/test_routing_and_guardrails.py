"""Routing and guardrails as plain functions: stickiness, digressions, clarification, keywords."""

from __future__ import annotations

from datetime import date

from agents.understanding import (
    CatalogMatch,
    Choice,
    ChoiceKind,
    DateMention,
    Entities,
    IntentScore,
    Repair,
    Understanding,
)
from graph import guardrails, routing
from tools.intents import Intent
from tools.playbook import Playbook


def _meaning(text: str, intent: Intent, confidence: float = 0.9, **fields: object) -> Understanding:
    return Understanding(text=text, language="en", intent=intent, confidence=confidence, **fields)  # type: ignore[arg-type]


def test_an_answer_to_the_question_stays_in_the_flow_whatever_the_classifier_says() -> None:
    meaning = _meaning(
        "friday",
        Intent.BOOKING_RESCHEDULE,
        entities=Entities(dates=(DateMention("friday", day=date(2027, 3, 5)),)),
    )
    assert routing.choose(meaning, active="sales", expecting="q:timeline").agent == "sales"


def test_a_confident_question_about_something_else_is_a_digression() -> None:
    route = routing.choose(
        _meaning("how much is a pedicure?", Intent.PRICING, 0.7), active="booking", expecting="field:name"
    )
    assert route.agent == "booking", "a free-text answer is only interrupted by a very sure question"
    sure = routing.choose(
        _meaning("how much is a pedicure?", Intent.PRICING, 0.95), active="booking", expecting="choice"
    )
    assert sure.agent == "sales" and sure.digression


def test_a_picked_button_never_switches_the_flow() -> None:
    meaning = _meaning("Repeat client — 5%", Intent.INTERNAL_PARTNERSHIP, 0.99)
    route = routing.choose(
        meaning, active="sales", expecting="discount", buttons=["Repeat client — 5%", "Winter — 7%"]
    )
    assert route.agent == "sales"


def test_unsure_without_a_flow_asks_which_of_two() -> None:
    meaning = _meaning(
        "the thing from before",
        Intent.BOOKING_NEW,
        0.2,
        alternatives=(IntentScore(Intent.SUPPORT_ORDER_STATUS, 0.18),),
    )
    route = routing.choose(meaning, active=None, expecting=None)
    assert route.clarify == (Intent.BOOKING_NEW, Intent.SUPPORT_ORDER_STATUS)


def test_an_unsure_bare_service_name_asks_prices_or_booking() -> None:
    meaning = _meaning(
        "маникюр",
        Intent.INTERNAL_VACANCY,
        0.2,
        alternatives=(IntentScore(Intent.PRICING, 0.18),),
        entities=Entities(catalog=(CatalogMatch("manicure", "service", "маникюр", 1.0),)),
    )
    route = routing.choose(meaning, active=None, expecting=None)
    assert route.clarify == (Intent.PRICING, Intent.BOOKING_NEW)


def test_a_bare_yes_without_a_flow_is_small_talk() -> None:
    meaning = _meaning("ok", Intent.OUT_OF_SCOPE, 0.3, entities=Entities(choice=Choice(ChoiceKind.YES)))
    assert routing.choose(meaning, active=None, expecting=None).agent == "smalltalk"


def test_keywords_are_words_with_russian_endings() -> None:
    assert guardrails.mentions("подам в суд", "суд") and guardrails.mentions("буду в суде", "суд")
    assert not guardrails.mentions("is there a warranty", "war")
    assert not guardrails.mentions("an issue with it", "sue")
    assert guardrails.mentions("I will sue you", "sue") and guardrails.mentions("two lawyers", "lawyer")


def test_every_word_of_a_russian_keyword_may_be_inflected() -> None:
    assert guardrails.mentions("а газовую колонку перенесёте?", "газовая колонка")
    assert guardrails.mentions("у дочки аллергий целый список", "аллергия")
    assert not guardrails.mentions("газовую плиту", "газовая колонка")


def test_a_denied_keyword_does_not_count() -> None:
    assert not guardrails.mentions("на двоих, без аллергий", "аллергия")
    assert not guardrails.mentions("no allergy, thanks", "allergy")
    assert guardrails.mentions("нет аллергии, но была аллергия на краску", "аллергия")


def test_explicit_opt_out_phrases_win_but_a_cancel_is_never_an_opt_out(minimal_playbook: Playbook) -> None:
    stop = _meaning("stop", Intent.OPT_OUT, 0.5, repair=Repair.OPT_OUT)
    cancel = _meaning("nevermind", Intent.OPT_OUT, 0.9, repair=Repair.CANCEL)
    check = {"language": "en", "repeats": 1, "contact": None, "first_turn": False}
    verdict = guardrails.check(minimal_playbook, stop, **check)  # type: ignore[arg-type]
    assert verdict is not None and verdict.guard is guardrails.Guard.OPT_OUT
    assert guardrails.check(minimal_playbook, cancel, **check) is None  # type: ignore[arg-type]


def test_the_same_message_to_the_same_question_three_times_escalates(minimal_playbook: Playbook) -> None:
    meaning = _meaning("why is nobody answering", Intent.OUT_OF_SCOPE, 0.4)
    verdict = guardrails.check(
        minimal_playbook, meaning, language="en", repeats=3, contact=None, first_turn=False
    )
    assert verdict is not None and verdict.guard is guardrails.Guard.ESCALATE
