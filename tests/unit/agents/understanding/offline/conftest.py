"""Classifiers trained once for the whole offline-understanding test session."""

from __future__ import annotations

import pytest

from agents.understanding.offline import IntentClassifier
from evals.nlu.routing import demo_playbook


@pytest.fixture(scope="session")
def studio_classifier() -> IntentClassifier:
    """The default classifier trained with the beauty-studio demo playbook."""
    return IntentClassifier.train(demo_playbook("studio"))


@pytest.fixture(scope="session")
def renovation_classifier() -> IntentClassifier:
    """The default classifier trained with the renovation demo playbook."""
    return IntentClassifier.train(demo_playbook("renovation"))
