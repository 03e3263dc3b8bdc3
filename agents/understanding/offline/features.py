"""Feature extraction for the intent classifier.

Two feature sets are available: character n-grams within word boundaries
(``char_wb`` 2–5, robust to typos and inflection) and, on top, TF-IDF over word
lemmas and lemma bigrams (pymorphy3 for Russian, light stemming for English).

sklearn's vectorisers fit the vocabulary and IDF weights at training time (sklearn
is imported only then); the fitted blocks are read out into plain dictionaries and
arrays (`Block`) with a picklable description of their analyzer, so that one
message is vectorised in a fraction of a millisecond by this module's own
analyzers, which give exactly sklearn's terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from agents.understanding.offline.lemmas import lemmatize
from agents.understanding.offline.text import clean

CHAR_NGRAMS = (2, 5)
"""The smallest and largest character n-gram."""
_WHITE_SPACES = re.compile(r"\s\s+")


class FeatureSet(StrEnum):
    """Which features the classifier reads."""

    CHARS = "chars"
    """Character n-grams (``char_wb`` 2–5)."""
    CHARS_LEMMAS = "chars+lemmas"
    """Character n-grams plus word-lemma unigrams and bigrams."""


class AnalyzerKind(StrEnum):
    """How a block turns a text into terms."""

    CHARS = "chars"
    """`char_features`: character n-grams within words of the cleaned text."""
    LEMMAS = "lemmas"
    """`lemma_features`: lemma unigrams and bigrams."""


@dataclass(frozen=True)
class Block:
    """One fitted TF-IDF block (sublinear tf, L2-normalised, then weighted)."""

    analyzer: AnalyzerKind
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


def char_ngrams(text: str, min_n: int = CHAR_NGRAMS[0], max_n: int = CHAR_NGRAMS[1]) -> list[str]:
    """The character n-grams of the words of `text`, each word padded with a space on both sides.

    The same terms, in the same order, as sklearn's ``char_wb`` analyzer: runs of
    whitespace are squeezed, and a word shorter than an n-gram gives itself once.
    """
    ngrams: list[str] = []
    append = ngrams.append
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(padded[offset : offset + n])
            if offset == 0:  # a short word is counted once
                break
    return ngrams


def char_features(text: str) -> list[str]:
    """Character 2–5-grams of the cleaned `text` (the analyzer of the character vectorizer)."""
    return char_ngrams(clean(text))


def lemma_features(text: str) -> list[str]:
    """Lemma unigrams and bigrams of `text` (the analyzer of the lemma vectorizer)."""
    lemmas = lemmatize(text)
    bigrams = [f"{first} {second}" for first, second in zip(lemmas, lemmas[1:], strict=False)]
    return lemmas + bigrams


ANALYZERS: Mapping[AnalyzerKind, Callable[[str], list[str]]] = {
    AnalyzerKind.CHARS: char_features,
    AnalyzerKind.LEMMAS: lemma_features,
}


def _char_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        preprocessor=clean,
        token_pattern=None,
        sublinear_tf=True,
    )


def _lemma_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=lemma_features, token_pattern=None, sublinear_tf=True)


def fit_blocks(
    texts: Sequence[str], features: FeatureSet, lemma_weight: float = 1.0
) -> tuple[Any, tuple[Block, ...]]:
    """Fit the vectorisers of `features` on `texts`: the sparse training matrix and the fitted blocks."""
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

    parts: list[tuple[str, Any]] = [(AnalyzerKind.CHARS.value, _char_vectorizer())]
    weights = {AnalyzerKind.CHARS.value: 1.0}
    if features is FeatureSet.CHARS_LEMMAS:
        parts.append((AnalyzerKind.LEMMAS.value, _lemma_vectorizer()))
        weights[AnalyzerKind.LEMMAS.value] = lemma_weight
    union = FeatureUnion(parts, transformer_weights=weights)
    matrix = union.fit_transform(list(texts)).tocsr()
    blocks: list[Block] = []
    offset = 0
    for name, fitted in union.transformer_list:
        vocabulary = {str(term): int(column) for term, column in fitted.vocabulary_.items()}
        idf = np.asarray(fitted.idf_, dtype=np.float64)
        blocks.append(Block(AnalyzerKind(name), vocabulary, idf, weights[name], offset))
        offset += len(idf)
    return matrix, tuple(blocks)


def vectorize(blocks: Sequence[Block], text: str) -> SparseRow:
    """The feature row of `text`, equal to what the fitted sklearn vectorisers would give."""
    indices: list[int] = []
    values: list[float] = []
    for block in blocks:
        vocabulary = block.vocabulary
        counts = Counter(term for term in ANALYZERS[block.analyzer](text) if term in vocabulary)
        if not counts:
            continue
        columns = [vocabulary[term] for term in counts]
        raw = [
            (1.0 + math.log(count)) * float(block.idf[column])
            for count, column in zip(counts.values(), columns, strict=True)
        ]
        norm = math.sqrt(sum(value * value for value in raw))
        indices.extend(block.offset + column for column in columns)
        values.extend(block.weight * value / norm for value in raw)
    return SparseRow(np.asarray(indices, dtype=np.intp), np.asarray(values, dtype=np.float64))
