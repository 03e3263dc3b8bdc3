"""The built-in training examples: every intent, both languages, enough of each, no contradictions."""

from __future__ import annotations

from collections import Counter

import pytest

from agents.understanding.offline import Language, builtin_examples, training_examples
from agents.understanding.offline.examples import AUGMENTED, PLAYBOOK
from agents.understanding.offline.text import clean
from evals.nlu.routing import demo_playbook
from tools.intents import Intent

LANGUAGES: tuple[Language, ...] = ("en", "ru")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_at_least_25_examples(language: Language) -> None:
    counts = Counter(example.intent for example in builtin_examples() if example.language == language)
    assert {intent: counts[intent] for intent in Intent if counts[intent] < 25} == {}


def test_no_phrase_is_given_twice_or_under_two_intents() -> None:
    seen = Counter((clean(example.text), example.language) for example in builtin_examples())
    assert [text for text, count in seen.items() if count > 1] == []


def test_playbook_examples_and_polite_variants_are_added() -> None:
    examples = training_examples(demo_playbook("studio"))
    sources = Counter(example.source for example in examples)
    assert sources[PLAYBOOK] > 400
    assert sources[AUGMENTED] > 300
    social = {Intent.GREETING, Intent.THANKS_BYE}
    assert not any(example.intent in social for example in examples if example.source == AUGMENTED)
