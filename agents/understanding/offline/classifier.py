"""The offline intent classifier: TF-IDF features and a linear model, trained at startup.

Training data is the built-in generic examples plus the playbook's own (see
`examples`). One model per language reads character n-grams and word lemmas
(`features`); a linear model scores the intents, and a temperature fitted by
cross-validation at training time turns the scores into calibrated probabilities.
A message with several clauses is also classified clause by clause, to report a
second request ("book me for Friday, and how much is it?") as an extra intent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agents.understanding.model import IntentScore, Repair
from agents.understanding.offline.clauses import split_clauses
from agents.understanding.offline.examples import Example, training_examples
from agents.understanding.offline.features import Block, FeatureSet, fit_blocks, vectorize
from agents.understanding.offline.language import Language, detect_language, looks_transliterated, to_cyrillic
from agents.understanding.offline.linear import Estimator, LinearFit, fit_linear
from agents.understanding.offline.repair import detect_repair
from agents.understanding.offline.text import content_words, is_cyrillic, words
from tools.intents import Agent, Intent, agent_for
from tools.playbook import Playbook

_LANGUAGES: tuple[Language, ...] = ("en", "ru")
_SOCIAL = frozenset({Intent.GREETING, Intent.THANKS_BYE})
_NOT_EXTRA = _SOCIAL | {Intent.OUT_OF_SCOPE}
_IMPLIED: dict[Intent, frozenset[Intent]] = {
    Intent.BOOKING_RESCHEDULE: frozenset({Intent.BOOKING_NEW}),
    Intent.BOOKING_CANCEL: frozenset({Intent.BOOKING_NEW}),
}
"""Extras a top intent implies by its wording: moving a booking mentions the booking ("I booked Friday")."""
_CONFIRMED_BY_REPAIR: dict[Intent, Repair] = {
    Intent.HUMAN_REQUEST: Repair.HUMAN,
    Intent.OPT_OUT: Repair.OPT_OUT,
}
_EXTRA_MIN_CONTENT_WORDS = 2


@dataclass(frozen=True)
class ClassifierConfig:
    """How the classifier is built (the defaults are the measured best; see ``evals/nlu``)."""

    features: FeatureSet = FeatureSet.CHARS_LEMMAS
    estimator: Estimator = Estimator.SVM
    c: float | None = None
    """Inverse regularisation strength; None for the estimator's default."""
    per_language: bool = True
    """One model per language (else one model for both)."""
    augment: bool = True
    """Add polite variants ("hi, …", "… thanks") of the examples."""
    playbook_weight: float = 2.0
    """Sample weight of the playbook's examples against the built-in ones."""
    lemma_weight: float = 1.0
    """Weight of the lemma block against the character block."""
    calibrate: bool = True
    """Fit a softmax temperature by 3-fold cross-validation (else temperature 1)."""
    alternatives: int = 3
    """How many runner-up intents to report."""
    min_alternative: float = 0.02
    """Runner-ups scoring below this are not reported."""
    extra_confidence: float = 0.9
    """A clause must be at least this sure of its own intent to add it as an extra intent."""


DEFAULT_CONFIG = ClassifierConfig()


@dataclass(frozen=True)
class ClassifiedIntent:
    """The intent of one message."""

    intent: Intent
    confidence: float
    """Calibrated probability of `intent`, 0..1."""
    alternatives: tuple[IntentScore, ...] = ()
    """The next likeliest intents, best first."""
    extra_intents: tuple[Intent, ...] = ()
    """Other intents clearly present in other clauses of the message."""


@dataclass(frozen=True)
class _Model:
    """One language's fitted features and linear scorer."""

    blocks: tuple[Block, ...]
    linear: LinearFit

    def probabilities(self, text: str) -> NDArray[np.float64]:
        row = vectorize(self.blocks, text)
        return self.linear.probabilities(row.indices, row.values)


def _fit(examples: Sequence[Example], config: ClassifierConfig) -> _Model:
    matrix, blocks = fit_blocks([e.text for e in examples], config.features, config.lemma_weight)
    linear = fit_linear(
        matrix,
        examples,
        config.estimator,
        c=config.c,
        playbook_weight=config.playbook_weight,
        calibrate=config.calibrate,
    )
    return _Model(blocks, linear)


@dataclass(frozen=True)
class IntentClassifier:
    """Scores the intents of customer messages. Build it with `train` or `fit`."""

    models: Mapping[Language, _Model]
    config: ClassifierConfig = field(default=DEFAULT_CONFIG)

    @property
    def temperatures(self) -> Mapping[Language, float]:
        """The fitted softmax temperature of each language's model."""
        return {language: model.linear.temperature for language, model in self.models.items()}

    @classmethod
    def train(
        cls, playbook: Playbook | None = None, config: ClassifierConfig = DEFAULT_CONFIG
    ) -> IntentClassifier:
        """Train on the built-in examples plus `playbook`'s (deterministic)."""
        return cls.fit(training_examples(playbook, augment=config.augment), config)

    @classmethod
    def fit(cls, examples: Sequence[Example], config: ClassifierConfig = DEFAULT_CONFIG) -> IntentClassifier:
        """Train on exactly `examples` (they must cover at least two intents per language)."""
        if not config.per_language:
            shared = _fit(examples, config)
            return cls(dict.fromkeys(_LANGUAGES, shared), config)
        models = {
            language: _fit([e for e in examples if e.language == language], config) for language in _LANGUAGES
        }
        return cls(models, config)

    def scores(self, text: str, language: Language) -> tuple[IntentScore, ...]:
        """Every intent with its probability for `text`, best first (see `classify` for `language`)."""
        language = detect_language(text, language)
        model = self.models[language]
        return _ranked(model, model.probabilities(_prepare(text, language)))

    def classify(self, text: str, language: Language) -> ClassifiedIntent:
        """The intent of `text`, with runner-ups and extra intents.

        The model of the language the text is written in reads it ("ok thanks" in a
        Russian conversation goes to the English one, "privet" to the Russian one);
        `language`, the conversation's, decides when the text does not tell.

        Each clause of a longer message is classified too. A clause sure of another
        customer intent (probability at least `ClassifierConfig.extra_confidence`,
        two content words or more) adds it as an extra intent, except greetings,
        thanks and out-of-scope, internal intents, an intent the top one implies
        (a reschedule mentions the booking), and a human / opt-out request the
        repair patterns do not confirm. A greeting or thanks on top gives way to a
        clause's sure request.
        """
        if not words(text):
            return ClassifiedIntent(Intent.OUT_OF_SCOPE, 0.0)
        language = detect_language(text, language)
        model = self.models[language]
        ranked = _ranked(model, model.probabilities(_prepare(text, language)))
        clauses = split_clauses(text) if len(words(text)) > _EXTRA_MIN_CONTENT_WORDS else []
        clause_tops = [
            (clause, _ranked(model, model.probabilities(_prepare(clause, language)))[0])
            for clause in (clauses if len(clauses) > 1 else [])
        ]
        top = ranked[0]
        if top.intent in _SOCIAL:
            substantive = [s for _, s in clause_tops if s.intent not in _NOT_EXTRA]
            best = max(substantive, key=lambda s: s.score, default=None)
            if best is not None and best.score >= self.config.extra_confidence:
                top = IntentScore(best.intent, min(best.score, top.score))
        alternatives = tuple(
            s for s in ranked if s.intent is not top.intent and s.score >= self.config.min_alternative
        )[: self.config.alternatives]
        extras = self._extras(top.intent, clause_tops, language)
        return ClassifiedIntent(top.intent, top.score, alternatives, extras)

    def _extras(
        self, top: Intent, clause_tops: Sequence[tuple[str, IntentScore]], language: Language
    ) -> tuple[Intent, ...]:
        """Intents of other clauses that are clearly there (see `classify`)."""
        if agent_for(top) is Agent.INTERNAL:
            return ()
        extras: list[Intent] = []
        for clause, score in sorted(clause_tops, key=lambda pair: -pair[1].score):
            intent = score.intent
            if (
                score.score < self.config.extra_confidence
                or intent is top
                or intent in extras
                or intent in _NOT_EXTRA
                or intent in _IMPLIED.get(top, frozenset())
                or agent_for(intent) is Agent.INTERNAL
                or len(content_words(clause)) < _EXTRA_MIN_CONTENT_WORDS
            ):
                continue
            repair = _CONFIRMED_BY_REPAIR.get(intent)
            if repair is not None and detect_repair(clause, language) is not repair:
                continue
            extras.append(intent)
        return tuple(extras)


def _ranked(model: _Model, row: NDArray[np.float64]) -> tuple[IntentScore, ...]:
    order = np.argsort(-row, kind="stable")
    intents = model.linear.intents
    return tuple(IntentScore(intents[index], round(float(row[index]), 4)) for index in order)


def _prepare(text: str, language: Language) -> str:
    """Transliterated Russian goes to the Russian model in Cyrillic."""
    if language == "ru" and not any(is_cyrillic(char) for char in text) and looks_transliterated(text):
        return to_cyrillic(text)
    return text
