"""Reading "how did you like it?" answers, and the one complementary offer, without a model or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.satisfaction import (
    Complement,
    Feeling,
    asks_for_rating,
    complement_of_order,
    complement_of_service,
    feeling_of,
    has_details,
    offer_answer,
    question_buttons,
    rating_of,
)
from agents.understanding import Choice, ChoiceKind, Entities, Understanding
from tests.conftest import ROOT
from tools.intents import Intent
from tools.playbook import load_playbook
from tools.satisfaction_timers import SATISFACTION, satisfaction_group, satisfaction_timer

STUDIO = load_playbook(ROOT / "examples/studio/playbook.yaml")
RENOVATION = load_playbook(ROOT / "examples/renovation/playbook.yaml")


def _said(text: str, *, choice: ChoiceKind | None = None, negative: bool = False) -> Understanding:
    entities = Entities(choice=Choice(choice) if choice else None)
    return Understanding(text, "ru", Intent.OUT_OF_SCOPE, 0.2, entities=entities, negative=negative)


@pytest.mark.parametrize(
    "text",
    [
        "Не понравилось",
        "плохо",
        "ужасно",
        "👎 Не очень",
        "так себе",
        "ну такое",
        "мастер нагрубила",
        "not happy",
        "bad",
        "👎 Not really",
        "it was so-so",
        "great, but the master was late",
        "Всё хорошо, но покрытие скололось на второй день",
    ],
)
def test_unhappy_answers_in_both_languages(text: str) -> None:
    assert feeling_of(_said(text), rating_scale=False) is Feeling.UNHAPPY


@pytest.mark.parametrize(
    "text",
    [
        "👍 Всё отлично",
        "Всё супер, спасибо!",
        "неплохо",
        "Всё понравилось, ничего плохого",
        "Спасибо, всё хорошо",
        "loved it",
        "👍 All good",
        "no complaints, thank you",
        "not bad at all",
    ],
)
def test_happy_answers_in_both_languages(text: str) -> None:
    assert feeling_of(_said(text), rating_scale=False) is Feeling.HAPPY


def test_scores_four_and_five_are_happy_three_and_below_unhappy() -> None:
    assert [rating_of(t) for t in ("5", "4/5", "на 3", "2 из 5", "⭐⭐⭐⭐", "I'd give it a 4")] == [
        5,
        4,
        3,
        2,
        4,
        4,
    ]
    assert rating_of("2 часа ждала") is None and rating_of("10 из 10") is None
    happy = [feeling_of(_said(t), rating_scale=True) for t in ("5", "4", "3", "1")]
    assert happy == [Feeling.HAPPY, Feeling.HAPPY, Feeling.UNHAPPY, Feeling.UNHAPPY]


def test_with_thumbs_a_bare_number_picks_a_button_not_a_score() -> None:
    assert feeling_of(_said("1"), rating_scale=False) is Feeling.HAPPY
    assert feeling_of(_said("2"), rating_scale=False) is Feeling.UNHAPPY
    assert feeling_of(_said("1"), rating_scale=True) is Feeling.UNHAPPY


def test_a_question_or_an_unclear_word_is_no_answer_but_yes_no_and_an_angry_tone_are() -> None:
    assert feeling_of(_said("а сколько стоит педикюр?"), rating_scale=False) is None
    assert feeling_of(_said("хм"), rating_scale=False) is None
    assert feeling_of(_said("да", choice=ChoiceKind.YES), rating_scale=False) is Feeling.HAPPY
    assert feeling_of(_said("нет", choice=ChoiceKind.NO), rating_scale=False) is Feeling.UNHAPPY
    assert feeling_of(_said("ВЫ СЕРЬЁЗНО?!", negative=True), rating_scale=False) is Feeling.UNHAPPY


def test_details_are_what_is_left_besides_how_it_went() -> None:
    assert not has_details("Мне не понравилось") and not has_details("👎 Not really") and not has_details("3")
    assert has_details("Не понравилось, мастер опоздала на полчаса")
    assert has_details("the shape came out uneven")


def test_the_buttons_follow_the_question() -> None:
    assert asks_for_rating("Оцените от 1 до 5 — это очень нам помогает") and asks_for_rating("rate it 1-5")
    assert not asks_for_rating("Как вам маникюр?") and not asks_for_rating("from 1 to 50")
    assert question_buttons(True, "ru") == ("1", "2", "3", "4", "5")
    assert question_buttons(False, "en") == ("👍 All good", "👎 Not really")


def test_an_offer_is_taken_by_its_button_a_yes_or_its_number() -> None:
    said = [
        offer_answer(_said(t, choice=c), bookable=b, language=lang)
        for t, c, b, lang in [
            ("Записаться", None, True, "ru"),
            ("1", None, True, "ru"),
            ("Да, хочу", ChoiceKind.YES, False, "ru"),
            ("Нет, спасибо", ChoiceKind.NO, True, "ru"),
            ("No, thanks", ChoiceKind.NO, False, "en"),
            ("what time do you open?", None, True, "en"),
        ]
    ]
    assert said == [True, True, True, False, False, None]


def test_the_offer_is_the_first_upsell_item_the_catalog_has_or_a_complement_not_ordered() -> None:
    assert complement_of_service(STUDIO, "brows") == Complement("lash-lamination", "service")
    assert complement_of_service(STUDIO, "manicure") == Complement("cuticle-oil", "product")
    assert complement_of_service(STUDIO, "no-such-service") is None
    assert complement_of_order(STUDIO, ["shampoo-repair"]) == Complement("conditioner-repair", "product")
    both = complement_of_order(STUDIO, ["shampoo-repair", "conditioner-repair"])
    assert both == Complement("hair-mask", "product")
    for service in RENOVATION.services:  # every upsell the examples list resolves
        if service.upsell:
            assert complement_of_service(RENOVATION, service.id) is not None, service.id


def test_one_question_per_booking_due_after_the_playbooks_hours_and_stale_after_three_days() -> None:
    now = datetime(2027, 3, 2, 10, tzinfo=UTC)
    key, timer = satisfaction_timer("booking", "bk_1", contact_id="ct_1", now=now, after_hours=24)
    assert key == "satisfaction:booking:bk_1" and timer.kind == SATISFACTION
    assert timer.due_at == now + timedelta(hours=24) and timer.expires_at == now + timedelta(days=4)
    assert timer.group == satisfaction_group("ct_1") and timer.data == {"booking": "bk_1"}
