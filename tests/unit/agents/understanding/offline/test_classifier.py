"""The intent classifier: deterministic, calibrated, multi-intent aware, and equal to sklearn's maths."""

from __future__ import annotations

import numpy as np
import pytest

from agents.understanding.offline import (
    ClassifierConfig,
    Example,
    FeatureSet,
    IntentClassifier,
    Language,
    builtin_examples,
)
from agents.understanding.offline.features import fit_blocks, vectorize
from evals.nlu.routing import demo_playbook
from tools.intents import Intent

PROBES: list[tuple[str, Language]] = [
    ("скок стоит маникюр", "ru"),
    ("можно записаца на завтра", "ru"),
    ("где мой заказ???", "ru"),
    ("хочу вернуть деньги", "ru"),
    ("нужен оператор", "ru"),
    ("отпишите меня", "ru"),
    ("хочу у вас работать", "ru"),
    ("пришлите реквизиты для оплаты счета поставщика", "ru"),
    ("we'd like to partner", "en"),
    ("invoice attached for payment", "en"),
    ("book me for friday, and how much is it?", "en"),
    ("hi", "en"),
]


def test_training_is_deterministic(studio_classifier: IntentClassifier) -> None:
    again = IntentClassifier.train(demo_playbook("studio"))
    assert again.temperatures == studio_classifier.temperatures
    for text, language in PROBES:
        assert again.classify(text, language) == studio_classifier.classify(text, language)


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        ("скок стоит маникюр", "ru", Intent.PRICING),
        ("можно записаца на завтра", "ru", Intent.BOOKING_NEW),
        ("где мой заказ???", "ru", Intent.SUPPORT_ORDER_STATUS),
        ("хочу вернуть деньги", "ru", Intent.SUPPORT_RETURN),
        ("нужен оператор", "ru", Intent.HUMAN_REQUEST),
        ("отпишите меня", "ru", Intent.OPT_OUT),
        ("хочу у вас работать", "ru", Intent.INTERNAL_VACANCY),
        ("пришлите реквизиты для оплаты счета поставщика", "ru", Intent.INTERNAL_VENDOR_INVOICE),
        ("we'd like to partner", "en", Intent.INTERNAL_PARTNERSHIP),
        ("invoice attached for payment", "en", Intent.INTERNAL_VENDOR_INVOICE),
        ("privet skolko stoit", "ru", Intent.PRICING),
        ("сколько стоит стрижка", "en", Intent.PRICING),
        ("thanks a lot", "ru", Intent.THANKS_BYE),
    ],
)
def test_brief_examples(
    studio_classifier: IntentClassifier, text: str, language: Language, intent: Intent
) -> None:
    assert studio_classifier.classify(text, language).intent is intent


@pytest.mark.parametrize(("text", "language"), PROBES)
def test_scores_are_probabilities(studio_classifier: IntentClassifier, text: str, language: Language) -> None:
    result = studio_classifier.classify(text, language)
    assert 0.0 <= result.confidence <= 1.0
    scores = [alternative.score for alternative in result.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert all(score <= result.confidence for score in scores)
    assert result.intent not in [alternative.intent for alternative in result.alternatives]
    assert len(result.alternatives) <= 3
    assert sum(score.score for score in studio_classifier.scores(text, language)) == pytest.approx(
        1.0, abs=1e-3
    )


def test_no_words_is_out_of_scope_with_no_confidence(studio_classifier: IntentClassifier) -> None:
    result = studio_classifier.classify("👍 👍", "en")
    assert (result.intent, result.confidence, result.extra_intents) == (Intent.OUT_OF_SCOPE, 0.0, ())


@pytest.mark.parametrize(
    ("text", "language", "intents"),
    [
        ("book me for friday, and how much is it?", "en", {Intent.BOOKING_NEW, Intent.PRICING}),
        ("where is my order? also i want to change the delivery address", "en",
         {Intent.SUPPORT_ORDER_STATUS, Intent.SUPPORT_CHANGE_ORDER}),
        ("i need to cancel my appointment and please stop sending me promos", "en",
         {Intent.BOOKING_CANCEL, Intent.OPT_OUT}),
        ("can i reschedule to monday? and do you take card", "en", {Intent.BOOKING_RESCHEDULE, Intent.SUPPORT_BILLING}),
        ("хочу записаться на маникюр и сколько стоит педикюр", "ru", {Intent.BOOKING_NEW, Intent.PRICING}),
        ("где мой заказ? а ещё хочу поменять адрес доставки", "ru",
         {Intent.SUPPORT_ORDER_STATUS, Intent.SUPPORT_CHANGE_ORDER}),
        ("отмените запись. и отпишите меня от рассылки", "ru", {Intent.BOOKING_CANCEL, Intent.OPT_OUT}),
        ("сколько стоит доставка и можно ли вернуть шампунь", "ru", {Intent.SUPPORT_DELIVERY, Intent.SUPPORT_RETURN}),
    ],
)  # fmt: skip
def test_second_request_is_an_extra_intent(
    studio_classifier: IntentClassifier, text: str, language: Language, intents: set[Intent]
) -> None:
    result = studio_classifier.classify(text, language)
    assert {result.intent, *result.extra_intents} == intents


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hi, where is my order", "en"),
        ("i booked for saturday but need to move it to sunday", "en"),
        ("свадьба в июле, прически и макияж на 6 человек, посчитайте сколько выйдет", "ru"),
        ("здравствуйте, хочу записаться на маникюр, спасибо", "ru"),
        ("we are a brand and want to partner, can we talk about prices", "en"),
        ("сколько стоит стрижка", "ru"),
    ],
)
def test_single_requests_have_no_extra_intent(
    studio_classifier: IntentClassifier, text: str, language: Language
) -> None:
    assert studio_classifier.classify(text, language).extra_intents == ()


def test_a_greeting_does_not_outweigh_the_request(studio_classifier: IntentClassifier) -> None:
    assert (
        studio_classifier.classify("hello hello good morning! how much is a manicure", "en").intent
        is Intent.PRICING
    )
    assert (
        studio_classifier.classify("здравствуйте! добрый день! где мой заказ", "ru").intent
        is Intent.SUPPORT_ORDER_STATUS
    )


def test_playbook_examples_are_learned() -> None:
    phrase = "zorblax quux"
    examples = [*builtin_examples(), Example(phrase, Intent.SUPPORT_WARRANTY, "en", "playbook")]
    classifier = IntentClassifier.fit(examples)
    assert classifier.classify(phrase, "en").intent is Intent.SUPPORT_WARRANTY


def test_tiny_training_set_skips_calibration() -> None:
    examples = [
        Example("how much", Intent.PRICING, "en", "builtin"),
        Example("price please", Intent.PRICING, "en", "builtin"),
        Example("book me in", Intent.BOOKING_NEW, "en", "builtin"),
        Example("сколько стоит", Intent.PRICING, "ru", "builtin"),
        Example("запишите меня", Intent.BOOKING_NEW, "ru", "builtin"),
    ]
    classifier = IntentClassifier.fit(examples, ClassifierConfig(augment=False))
    assert classifier.temperatures == {"en": 1.0, "ru": 1.0}
    assert classifier.classify("how much", "en").intent is Intent.PRICING
    assert classifier.classify("book me in", "en").intent is Intent.BOOKING_NEW


@pytest.mark.parametrize("features", list(FeatureSet))
def test_fast_vectorisation_equals_sklearn(features: FeatureSet) -> None:
    texts = [example.text for example in builtin_examples()[:300]]
    matrix, blocks = fit_blocks(texts, features)
    for index in range(0, 300, 7):
        row = vectorize(blocks, texts[index])
        dense = np.zeros(matrix.shape[1])
        dense[row.indices] = row.values
        assert np.allclose(dense, matrix[index].toarray()[0])
