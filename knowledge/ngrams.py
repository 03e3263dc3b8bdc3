"""Character 4-gram TF-IDF similarity: the typo- and inflection-tolerant signal.

Every content word is padded with spaces and cut into 4-grams (``" сер"``, ``"серт"``,
…), so ``сертефикат``/``сертификата`` or ``cancelation``/``cancellation`` share most of
their grams. Grams are weighted by sublinear TF × IDF and compared by cosine, which is
an absolute score in [0, 1]: it
measures how much of the question's wording the passage contains and is the main
input of the retrieval confidence (see `knowledge.retrieval`).

The matrix (`knowledge.sparse`) is built on the first search after a change, so a
question touches only the postings of its own grams.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

import numpy as np
import numpy.typing as npt

from knowledge.analysis import words
from knowledge.sparse import ColumnMatrix, Floats, Postings, SparseRow, top
from knowledge.stopwords import is_stopword
from tools.playbook._types import Language

N = 4
"""Gram length."""


@lru_cache(maxsize=500_000)
def word_grams(word: str) -> tuple[str, ...]:
    """The 4-grams of one lowercased word padded with spaces; none for stopwords and words under 3 letters."""
    if len(word) < 3 or is_stopword(word):
        return ()
    padded = f" {word} "
    return tuple(padded[start : start + N] for start in range(len(padded) - N + 1))


def grams(text: str) -> Counter[str]:
    """4-gram counts of the content words of `text`."""
    return Counter(chain.from_iterable(word_grams(word) for word in words(text)))


def _tf_idf(postings: Postings) -> Floats:
    """Sublinear TF × IDF, each row scaled to unit length."""
    idf = _idf(np.bincount(postings.columns, minlength=postings.width), postings.row_count)
    weights = (1.0 + np.log(np.maximum(postings.counts, 1.0))) * idf[postings.columns]
    norms = np.sqrt(np.bincount(postings.rows, weights=weights**2, minlength=postings.row_count))
    normalised: Floats = weights / np.maximum(norms[postings.rows], 1e-12)
    return normalised


def _idf(frequency: npt.NDArray[np.int64], rows: int) -> Floats:
    idf: Floats = np.log1p(rows / (frequency + 0.5))
    return idf


class NgramIndex:
    """Character 4-gram TF-IDF vectors of chunks; cosine similarity with a question."""

    def __init__(self) -> None:
        self._rows: dict[str, SparseRow] = {}
        self._vocabulary: dict[str, int] = {}
        self._word_columns: dict[str, tuple[int, ...]] = {}
        self._matrix: ColumnMatrix | None = None
        self._idf: Floats = np.zeros(0)

    def __len__(self) -> int:
        return len(self._rows)

    def _columns(self, word: str) -> tuple[int, ...]:
        columns = self._word_columns.get(word)
        if columns is None:
            vocabulary = self._vocabulary
            columns = self._word_columns[word] = tuple(
                vocabulary.setdefault(gram, len(vocabulary)) for gram in word_grams(word)
            )
        return columns

    def add(self, chunk_id: str, text_words: Sequence[str], language: Language) -> None:
        """Index (or re-index) one chunk, given its words (`knowledge.analysis.words`)."""
        counts = Counter(chain.from_iterable(self._columns(word) for word in text_words))
        self._rows[chunk_id] = SparseRow(
            columns=np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
            counts=np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
            language=language,
        )
        self._matrix = None

    def remove(self, chunk_ids: Iterable[str]) -> None:
        """Forget chunks (unknown ids are ignored)."""
        for chunk_id in chunk_ids:
            if self._rows.pop(chunk_id, None) is not None:
                self._matrix = None

    def build(self) -> None:
        """Build the weight matrix now rather than on the next search (after bulk changes)."""
        if self._matrix is None:
            ids = list(self._rows)
            self._matrix = ColumnMatrix(ids, [self._rows[i] for i in ids], len(self._vocabulary), _tf_idf)
            self._idf = _idf(self._matrix.frequency, len(ids))

    def similarity(self, text: str, *, language: Language | None = None) -> NgramScores:
        """Cosine similarity of `text` with every chunk (chunks in other languages score 0 if one is given)."""
        self.build()
        matrix = self._matrix
        assert matrix is not None
        known: dict[int, int] = {}
        unseen: list[int] = []
        for gram, count in grams(text).items():
            column = self._vocabulary.get(gram)
            if column is None:
                unseen.append(count)
            else:
                known[column] = count
        idf = self._idf
        columns = np.fromiter(known.keys(), dtype=np.int64, count=len(known))
        counts = np.fromiter(known.values(), dtype=np.float64, count=len(known))
        weights = (1.0 + np.log(counts)) * idf[columns]
        unseen_weights = (1.0 + np.log(np.asarray(unseen, dtype=np.float64))) * float(
            np.log1p(len(matrix.ids) / 0.5)
        )
        norm = float(np.sqrt(np.sum(weights**2) + np.sum(unseen_weights**2))) or 1.0
        scores = matrix.accumulate(columns, weights / norm)
        if language is not None:
            scores[matrix.languages != language] = 0.0
        return NgramScores(matrix.ids, matrix.positions, scores)


class NgramScores:
    """The similarity of one question with every chunk."""

    def __init__(self, ids: list[str], positions: dict[str, int], scores: npt.NDArray[np.float64]) -> None:
        self._ids = ids
        self._positions = positions
        self._scores = scores

    def get(self, chunk_id: str) -> float:
        """The similarity with one chunk (0 for an unknown one)."""
        position = self._positions.get(chunk_id)
        return float(self._scores[position]) if position is not None else 0.0

    def top(self, count: int) -> list[tuple[str, float]]:
        """The `count` most similar chunks with a positive score, best first."""
        return top(self._ids, self._scores, count)
