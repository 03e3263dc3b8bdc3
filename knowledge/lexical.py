"""A BM25 index over analysed terms (Russian lemmas, English singulars), kept in memory.

It is rebuilt from the chunks in the store when a knowledge base opens and updated in
place on every ingestion, so it always indexes exactly what the store holds. Scoring
runs over a column-sorted numpy matrix (`knowledge.sparse`) rebuilt after changes.

Besides the BM25 score each hit carries its *coverage*: the share of the question's
term weight (IDF) that the chunk contains. Coverage is an absolute measure in [0, 1]
(BM25 scores are not comparable between questions) and part of the retrieval
confidence for Russian.

`correct` maps a question word that never occurs in the collection to an indexed term
one typo away (one letter missing, extra, wrong or two letters swapped), e.g.
``сертефикат`` → ``сертификат``; the most frequent candidate wins.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.sparse import ColumnMatrix, Floats, Postings, SparseRow, top
from tools.playbook._types import Language

MIN_TYPO_LENGTH = 5
"""Words shorter than this are never corrected: too many short words are one letter apart."""


@dataclass(frozen=True)
class LexicalHit:
    """One chunk that shares terms with the question."""

    chunk_id: str
    score: float
    """The BM25 score (unbounded, comparable only within one question)."""
    coverage: float
    """The share of the question's IDF weight found in the chunk, in [0, 1]."""


class LexicalScores:
    """BM25 scores and coverage of one question against every chunk."""

    def __init__(self, ids: list[str], positions: dict[str, int], scores: Floats, coverage: Floats) -> None:
        self._ids = ids
        self._positions = positions
        self._scores = scores
        self._coverage = coverage

    def coverage(self, chunk_id: str) -> float:
        """The share of the question's term weight found in the chunk (0 for an unknown one)."""
        position = self._positions.get(chunk_id)
        return float(self._coverage[position]) if position is not None else 0.0

    def top(self, count: int) -> list[LexicalHit]:
        """The `count` best chunks sharing at least one term, best first."""
        return [
            LexicalHit(chunk_id=chunk_id, score=score, coverage=self.coverage(chunk_id))
            for chunk_id, score in top(self._ids, self._scores, count)
        ]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


class LexicalIndex:
    """BM25 (k1 = 1.2, b = 0.75) over analysed terms, with language filtering and typo tolerance."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._vocabulary: dict[str, int] = {}
        self._rows: dict[str, SparseRow] = {}
        self._frequency: Counter[str] = Counter()
        self._terms: dict[str, tuple[str, ...]] = {}
        self._variants: dict[str, set[str]] = {}
        self._matrix: ColumnMatrix | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._rows

    def add(self, chunk_id: str, terms: Sequence[str], language: Language) -> None:
        """Index one chunk's `terms` (replacing it if it is already indexed)."""
        self.remove([chunk_id])
        counts = Counter(terms)
        for term in counts:
            if term not in self._vocabulary:
                self._vocabulary[term] = len(self._vocabulary)
                if len(term) >= MIN_TYPO_LENGTH:
                    for variant in _deletes(term):
                        self._variants.setdefault(variant, set()).add(term)
            self._frequency[term] += 1
        self._rows[chunk_id] = SparseRow(
            columns=np.fromiter((self._vocabulary[t] for t in counts), dtype=np.int32, count=len(counts)),
            counts=np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
            language=language,
        )
        self._terms[chunk_id] = tuple(counts)
        self._matrix = None

    def remove(self, chunk_ids: Iterable[str]) -> None:
        """Forget the given chunks (unknown ids are ignored)."""
        for chunk_id in chunk_ids:
            if self._rows.pop(chunk_id, None) is None:
                continue
            for term in self._terms.pop(chunk_id):
                self._frequency[term] -= 1
                if self._frequency[term] <= 0:
                    del self._frequency[term]
            self._matrix = None

    def idf(self, term: str) -> float:
        """The BM25 inverse document frequency of `term` (highest for a term no chunk has)."""
        count = self._frequency.get(term, 0)
        return math.log(1.0 + (len(self._rows) - count + 0.5) / (count + 0.5))

    def correct(self, term: str) -> str:
        """`term` itself if indexed, else the most frequent indexed term one typo away, else `term`."""
        if term in self._frequency or len(term) < MIN_TYPO_LENGTH:
            return term
        candidates: set[str] = set()
        for variant in _deletes(term):
            candidates |= self._variants.get(variant, set())
        live = [candidate for candidate in candidates if candidate in self._frequency]
        if not live:
            return term
        return max(live, key=lambda candidate: (self._frequency[candidate], candidate))

    def _bm25(self, postings: Postings) -> Floats:
        lengths = np.bincount(postings.rows, weights=postings.counts, minlength=postings.row_count)
        average = float(lengths.mean()) if len(lengths) else 1.0
        norm = self.k1 * (1.0 - self.b + self.b * lengths[postings.rows] / max(average, 1e-9))
        factors: Floats = postings.counts * (self.k1 + 1.0) / (postings.counts + norm)
        return factors

    def _built(self) -> ColumnMatrix:
        if self._matrix is None:
            ids = list(self._rows)
            self._matrix = ColumnMatrix(ids, [self._rows[i] for i in ids], len(self._vocabulary), self._bm25)
        return self._matrix

    def scores(self, terms: Sequence[str], *, language: Language | None = None) -> LexicalScores:
        """BM25 and coverage of the question `terms` against every chunk (other languages score 0)."""
        matrix = self._built()
        query = list(dict.fromkeys(terms))
        weights = np.array([self.idf(term) for term in query], dtype=np.float64)
        known = [
            (self._vocabulary[t], w) for t, w in zip(query, weights, strict=True) if t in self._frequency
        ]
        columns = np.array([c for c, _ in known], dtype=np.int64)
        known_weights = np.array([w for _, w in known], dtype=np.float64)
        scores = matrix.accumulate(columns, known_weights)
        coverage = matrix.accumulate(columns, known_weights, present=True) / (float(weights.sum()) or 1.0)
        if language is not None:
            other = matrix.languages != language
            scores[other] = 0.0
            coverage[other] = 0.0
        return LexicalScores(matrix.ids, matrix.positions, scores, np.minimum(coverage, 1.0))

    def search(
        self, terms: Sequence[str], *, language: Language | None = None, limit: int | None = None
    ) -> list[LexicalHit]:
        """Chunks sharing a term with the question `terms`, best first (the `limit` best if given)."""
        return self.scores(terms, language=language).top(limit if limit is not None else len(self._rows))
