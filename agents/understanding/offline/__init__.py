"""Offline understanding parts: language, lemmas, intents, tone, repair and repetition, without an LLM.

Importing the package does not import scikit-learn: it is needed only to train
the intent classifier, and `load_or_train` skips training when a cached
classifier fits.
"""

from agents.understanding.offline.cache import load_or_train
from agents.understanding.offline.classifier import (
    DEFAULT_CONFIG,
    ClassifiedIntent,
    ClassifierConfig,
    IntentClassifier,
)
from agents.understanding.offline.clauses import split_clauses
from agents.understanding.offline.examples import (
    Example,
    builtin_examples,
    playbook_examples,
    training_examples,
)
from agents.understanding.offline.features import FeatureSet
from agents.understanding.offline.language import Language, detect_language, looks_transliterated, to_cyrillic
from agents.understanding.offline.lemmas import lemma, lemmatize
from agents.understanding.offline.linear import Estimator
from agents.understanding.offline.repair import detect_repair
from agents.understanding.offline.repetition import is_repeat
from agents.understanding.offline.tone import is_negative, tone_score

__all__ = [
    "ClassifiedIntent",
    "ClassifierConfig",
    "DEFAULT_CONFIG",
    "Estimator",
    "Example",
    "FeatureSet",
    "IntentClassifier",
    "Language",
    "builtin_examples",
    "detect_language",
    "detect_repair",
    "is_negative",
    "is_repeat",
    "load_or_train",
    "lemma",
    "lemmatize",
    "looks_transliterated",
    "playbook_examples",
    "split_clauses",
    "to_cyrillic",
    "tone_score",
    "training_examples",
]
