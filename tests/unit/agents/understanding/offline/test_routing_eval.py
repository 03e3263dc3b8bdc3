"""Held-out routing accuracy on both demo playbooks, and the held-out sets' own hygiene.

The thresholds sit a little under what the default classifier measures (see
``evals/nlu/README.md``), so a regression fails while noise does not.
"""

from __future__ import annotations

from collections import Counter

import pytest

from agents.understanding.offline import IntentClassifier, Language, training_examples
from agents.understanding.offline.text import clean
from evals.nlu.routing import LANGUAGES, demo_playbook, evaluate, format_misses, load_cases
from tools.intents import Intent

INTENT_ACCURACY: dict[tuple[str, Language], float] = {
    ("studio", "en"): 0.93,
    ("studio", "ru"): 0.92,
    ("renovation", "en"): 0.95,
    ("renovation", "ru"): 0.94,
}
AGENT_ACCURACY = 0.93
CALIBRATION_ERROR = 0.08


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_set_covers_every_intent(language: Language) -> None:
    cases = load_cases(language)
    counts = Counter(case.intent for case in cases)
    assert len(cases) >= 230
    assert {intent: counts[intent] for intent in Intent if counts[intent] < 10} == {}


def test_held_out_sets_share_nothing_with_training() -> None:
    training = {
        clean(example.text)
        for playbook in ("studio", "renovation")
        for example in training_examples(demo_playbook(playbook))
    }
    held_out = [case.text for language in LANGUAGES for case in load_cases(language)]
    assert [text for text in held_out if clean(text) in training] == []
    assert len({clean(text) for text in held_out}) == len(held_out)


@pytest.mark.parametrize("language", LANGUAGES)
def test_studio_routing(studio_classifier: IntentClassifier, language: Language) -> None:
    _check(studio_classifier, "studio", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_renovation_routing(renovation_classifier: IntentClassifier, language: Language) -> None:
    _check(renovation_classifier, "renovation", language)


def _check(classifier: IntentClassifier, playbook: str, language: Language) -> None:
    report = evaluate(classifier, load_cases(language))
    assert report.accuracy >= INTENT_ACCURACY[playbook, language], format_misses(report)
    assert report.agent_accuracy >= AGENT_ACCURACY, format_misses(report)
    assert report.calibration_error <= CALIBRATION_ERROR
