"""Feature extraction for the intent classifier.

Two feature sets are available: character n-grams within word boundaries
(``char_wb`` 2–5, robust to typos and inflection) and, on top, TF-IDF over word
lemmas and lemma bigrams (pymorphy3 for Russian, light stemming for English).

sklearn's vectorisers are used to fit the vocabulary and IDF weights; the fitted
blocks are then read out into plain dictionaries and arrays (`Block`) so that one
message is vectorised in a fraction of a millisecond, without sklearn's per-call
validation overhead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

from agents.understanding.offline.lemmas import lemmatize
from agents.understanding.offline.text import clean


class FeatureSet(StrEnum):
    """Which features the classifier reads."""

    CHARS = "chars"
    """Character n-grams (``char_wb`` 2–5)."""
    CHARS_LEMMAS = "chars+lemmas"
    """Character n-grams plus word-lemma unigrams and bigrams."""


@dataclass(frozen=True)
class Block:
    """One fitted TF-IDF block (sublinear tf, L2-normalised, then weighted)."""

    analyzer: Callable[[str], list[str]]
    vocabulary: Mapping[str, int]
    idf: NDArray[np.float64]
    weight: float
    offset: int
    """Where this block's columns start in the full feature vector."""


@dataclass(frozen=True)
class SparseRow:
    """One vectorised message: column indices and their values."""

    indices: NDArray[np.intp]
    values: NDArray[np.float64]


def lemma_features(text: str) -> list[str]:
    """Lemma unigrams and bigrams of `text` (the analyzer of the lemma vectorizer)."""
    lemmas = lemmatize(text)
    bigrams = [f"{first} {second}" for first, second in zip(lemmas, lemmas[1:], strict=False)]
    return lemmas + bigrams


def _char_vectorizer() -> Any:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        preprocessor=clean,
        token_pattern=None,
        sublinear_tf=True,
    )


def _lemma_vectorizer() -> Any:
    return TfidfVectorizer(analyzer=lemma_features, token_pattern=None, sublinear_tf=True)


def fit_blocks(
    texts: Sequence[str], features: FeatureSet, lemma_weight: float = 1.0
) -> tuple[Any, tuple[Block, ...]]:
    """Fit the vectorisers of `features` on `texts`: the sparse training matrix and the fitted blocks."""
    parts: list[tuple[str, Any]] = [("chars", _char_vectorizer())]
    weights = {"chars": 1.0}
    if features is FeatureSet.CHARS_LEMMAS:
        parts.append(("lemmas", _lemma_vectorizer()))
        weights["lemmas"] = lemma_weight
    union = FeatureUnion(parts, transformer_weights=weights)
    matrix = union.fit_transform(list(texts)).tocsr()
    blocks: list[Block] = []
    offset = 0
    for name, fitted in union.transformer_list:
        vocabulary = {str(term): int(column) for term, column in fitted.vocabulary_.items()}
        idf = np.asarray(fitted.idf_, dtype=np.float64)
        blocks.append(Block(fitted.build_analyzer(), vocabulary, idf, weights[name], offset))
        offset += len(idf)
    return matrix, tuple(blocks)


def vectorize(blocks: Sequence[Block], text: str) -> SparseRow:
    """The feature row of `text`, equal to what the fitted sklearn vectorisers would give."""
    indices: list[int] = []
    values: list[float] = []
    for block in blocks:
        counts = Counter(term for term in block.analyzer(text) if term in block.vocabulary)
        if not counts:
            continue
        columns = [block.vocabulary[term] for term in counts]
        raw = [
            (1.0 + math.log(count)) * float(block.idf[column])
            for count, column in zip(counts.values(), columns, strict=True)
        ]
        norm = math.sqrt(sum(value * value for value in raw))
        indices.extend(block.offset + column for column in columns)
        values.extend(block.weight * value / norm for value in raw)
    return SparseRow(np.asarray(indices, dtype=np.intp), np.asarray(values, dtype=np.float64))
