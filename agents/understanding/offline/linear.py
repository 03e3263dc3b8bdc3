"""The linear scorer under the intent classifier, with temperature calibration.

Two estimators are supported: multinomial logistic regression and a linear SVM
(one-vs-rest). Either one's decision values go through a softmax whose
temperature is fitted at training time on 3-fold out-of-fold decision values
(minimum negative log-likelihood), so the top score reads as a probability.
The fitted coefficients are kept as plain arrays for fast scoring; sklearn is
imported only to train.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from agents.understanding.offline.examples import AUGMENTED, PLAYBOOK, Example
from tools.intents import Intent

RANDOM_STATE = 0
FOLDS = 3
_TEMPERATURES = np.geomspace(0.05, 5.0, 93)


class Estimator(StrEnum):
    """The linear model on top of the features."""

    LOGREG = "logreg"
    """Multinomial logistic regression."""
    SVM = "svm"
    """Linear SVM, one-vs-rest."""


DEFAULT_C: dict[Estimator, float] = {Estimator.LOGREG: 20.0, Estimator.SVM: 1.0}


@dataclass(frozen=True)
class LinearFit:
    """Fitted coefficients, the calibration temperature and the intents in column order."""

    weights: NDArray[np.float64]
    """Shape (features, intents)."""
    intercept: NDArray[np.float64]
    temperature: float
    intents: tuple[Intent, ...]

    def probabilities(self, indices: NDArray[np.intp], values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Calibrated intent probabilities of one sparse feature row."""
        logits: NDArray[np.float64] = self.intercept + values @ self.weights[indices]
        probabilities: NDArray[np.float64] = _softmax(logits[np.newaxis, :] / self.temperature)[0]
        return probabilities


def sample_weight(example: Example, playbook_weight: float) -> float:
    """The training weight of `example`: `playbook_weight` for the playbook's own, else 1."""
    return playbook_weight if example.source == PLAYBOOK else 1.0


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result


def _estimator(estimator: Estimator, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

    if estimator is Estimator.LOGREG:
        return LogisticRegression(C=c, max_iter=3000, random_state=RANDOM_STATE)
    return LinearSVC(C=c, max_iter=5000, random_state=RANDOM_STATE)


def _fit_once(
    estimator: Estimator, c: float, matrix: Any, labels: NDArray[np.str_], weights: NDArray[np.float64]
) -> Any:
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    model = _estimator(estimator, c)
    # One BLAS thread: with lbfgs, thread start-up costs more than it saves on matrices this small.
    with threadpool_limits(limits=1):
        model.fit(matrix, labels, sample_weight=weights)
    return model


def fit_linear(
    matrix: Any,
    examples: Sequence[Example],
    estimator: Estimator,
    *,
    c: float | None = None,
    playbook_weight: float = 2.0,
    calibrate: bool = True,
) -> LinearFit:
    """Fit `estimator` on the rows of `matrix` labelled by `examples`, then its temperature."""
    strength = DEFAULT_C[estimator] if c is None else c
    labels = np.array([example.intent.value for example in examples])
    weights = np.array([sample_weight(example, playbook_weight) for example in examples])
    model = _fit_once(estimator, strength, matrix, labels, weights)
    intents = tuple(Intent(label) for label in model.classes_)
    temperature = _temperature(estimator, strength, matrix, labels, weights, examples) if calibrate else 1.0
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(intents) == 2:  # binary models keep one column: the second class's score against the first
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros(1), intercept])
    return LinearFit(np.ascontiguousarray(coef.T), intercept, temperature, intents)


def _temperature(
    estimator: Estimator,
    c: float,
    matrix: Any,
    labels: NDArray[np.str_],
    weights: NDArray[np.float64],
    examples: Sequence[Example],
) -> float:
    """The softmax temperature minimising out-of-fold log-loss (1.0 when there is too little data).

    Folds are drawn from the original examples only: a polite variant of a held-out
    example would otherwise leak into training.
    """
    base = np.array([index for index, example in enumerate(examples) if example.source != AUGMENTED])
    counts = Counter(labels[base].tolist())
    if len(counts) < 2 or min(counts.values()) < FOLDS:
        return 1.0
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    logits: list[NDArray[np.float64]] = []
    truth: list[NDArray[np.intp]] = []
    for train, test in splitter.split(base, labels[base]):
        rows, held = base[train], base[test]
        model = _fit_once(estimator, c, matrix[rows], labels[rows], weights[rows])
        classes = list(model.classes_)
        logits.append(_two_columns(np.asarray(model.decision_function(matrix[held]), dtype=np.float64)))
        truth.append(np.array([classes.index(label) for label in labels[held]], dtype=np.intp))
    decision = np.vstack(logits)
    answers = np.concatenate(truth)
    losses = [_log_loss(decision / temperature, answers) for temperature in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def _two_columns(decision: NDArray[np.float64]) -> NDArray[np.float64]:
    """Binary models give one score per row; make it a (first, second) pair of logits."""
    if decision.ndim == 1:
        return np.column_stack([np.zeros_like(decision), decision])
    return decision


def _log_loss(logits: NDArray[np.float64], answers: NDArray[np.intp]) -> float:
    probabilities = _softmax(logits)
    picked = probabilities[np.arange(len(answers)), answers]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))
