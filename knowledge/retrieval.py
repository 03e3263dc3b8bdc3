"""Hybrid retrieval: dense (MiniLM), BM25 over lemmas and character 4-grams, fused per language.

**Ranking** is weighted reciprocal rank fusion (k = 10) of the three rankings, each cut to
its best `candidates`. The weights depend on the question's language, because the
MiniLM model reads English only:

* English: dense 1, BM25 1, 4-grams 0;
* Russian: dense 0, BM25 1, 4-grams 0.5 (the model's vectors of Russian text rank no
  better than chance and only added noise on the labelled sets).

**Relevance** (`Passage.relevance`) is an absolute score in [0, 1] computed for each
returned passage: 4-gram cosine (full at 0.4), the dense cosine mapped from [0.15, 0.65]
to [0, 1], and the BM25 coverage, mixed 0.5/0.5/0 for English and 0.7/0/0.3 for
Russian. **Confidence** is the best relevance among the top three passages; below
the language's threshold the knowledge base has no answer. The weights and thresholds
were chosen on the labelled sets in ``evals/kb`` (docs/knowledge.md has the figures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.analysis import query_terms, terms_of, words
from knowledge.embeddings import Embedder, Vectors
from knowledge.language import detect_language
from knowledge.lexical import LexicalIndex, LexicalScores
from knowledge.model import Chunk, ChunkId
from knowledge.ngrams import NgramIndex, NgramScores
from knowledge.store import ChunkStore
from tools.playbook._types import Language


@dataclass(frozen=True)
class LanguageProfile:
    """How questions in one language are ranked and how sure an answer must be."""

    dense_rank: float
    """RRF weight of the dense (MiniLM) ranking."""
    lexical_rank: float
    """RRF weight of the BM25 ranking."""
    ngram_rank: float
    """RRF weight of the character 4-gram ranking."""
    ngram_relevance: float
    """Share of the 4-gram cosine in relevance."""
    dense_relevance: float
    """Share of the calibrated dense cosine in relevance."""
    coverage_relevance: float
    """Share of the BM25 coverage in relevance."""
    threshold: float
    """Confidence at or above which the knowledge base answers."""


@dataclass(frozen=True)
class RetrievalSettings:
    """Tuning of hybrid retrieval; the defaults are the ones measured in docs/knowledge.md."""

    en: LanguageProfile = LanguageProfile(1.0, 1.0, 0.0, 0.5, 0.5, 0.0, threshold=0.4)
    ru: LanguageProfile = LanguageProfile(0.0, 1.0, 0.5, 0.7, 0.0, 0.3, threshold=0.4)
    candidates: int = 30
    """How many passages each ranking contributes to the fusion."""
    rrf_k: int = 10
    """The reciprocal rank fusion constant: score = Σ weight / (rrf_k + rank)."""
    ngram_full: float = 0.4
    """A 4-gram cosine at or above this counts as a full match."""
    dense_floor: float = 0.15
    """MiniLM cosine of unrelated English texts: relevance 0."""
    dense_full: float = 0.65
    """MiniLM cosine of a paraphrase: relevance 1."""
    confidence_depth: int = 3
    """Confidence is the best relevance among this many top passages."""

    def profile(self, language: Language) -> LanguageProfile:
        """The profile of `language`."""
        return self.ru if language == "ru" else self.en


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with its scores."""

    chunk: Chunk
    rank: int
    """1 for the best."""
    score: float
    """The fused ranking score scaled to [0, 1] (1: first in every ranking that counts)."""
    relevance: float
    """How well the passage matches the question, in [0, 1], comparable across questions."""
    dense: float | None
    """MiniLM cosine with the question, when the language uses it."""
    coverage: float
    """Share of the question's term weight (IDF) found in the passage."""
    ngram: float
    """Character 4-gram cosine with the question."""

    @property
    def document(self) -> str:
        """The document id (path relative to the ingestion root)."""
        return self.chunk.document

    @property
    def text(self) -> str:
        """The passage text."""
        return self.chunk.text

    @property
    def citation(self) -> str:
        """``Document title › Section``."""
        return self.chunk.citation


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages for one question and whether they are good enough to answer from."""

    query: str
    language: Language
    passages: tuple[Passage, ...]
    confidence: float
    """The best relevance among the top passages, in [0, 1]."""
    threshold: float
    """The confidence an answer needs in this language."""

    @property
    def answerable(self) -> bool:
        """Whether the passages are likely to answer the question (else: say so, offer a person)."""
        return bool(self.passages) and self.confidence >= self.threshold

    @property
    def best(self) -> Passage | None:
        """The top passage, if any."""
        return self.passages[0] if self.passages else None


class HybridRetriever:
    """Keeps the lexical and 4-gram indexes of one collection and answers questions over it."""

    def __init__(self, store: ChunkStore, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.chunks: dict[ChunkId, Chunk] = {}
        self.languages: Counter[Language] = Counter()
        self.lexical = LexicalIndex()
        self.ngrams = NgramIndex()

    def load(self, chunks: Sequence[Chunk]) -> None:
        """Replace the indexes with `chunks`."""
        self.chunks = {}
        self.languages = Counter()
        self.lexical = LexicalIndex()
        self.ngrams = NgramIndex()
        self.apply(chunks, ())

    def apply(self, written: Sequence[Chunk], deleted: Sequence[ChunkId]) -> None:
        """Bring the indexes in step with an ingestion."""
        self.lexical.remove(deleted)
        self.ngrams.remove(deleted)
        for chunk_id in [*deleted, *(chunk.id for chunk in written)]:
            gone = self.chunks.pop(chunk_id, None)
            if gone is not None:
                self.languages[gone.language] -= 1
        for chunk in written:
            self.chunks[chunk.id] = chunk
            self.languages[chunk.language] += 1
            text_words = words(chunk.indexed_text)
            self.lexical.add(chunk.id, terms_of(text_words), chunk.language)
            self.ngrams.add(chunk.id, text_words, chunk.language)
        self.ngrams.build()

    def _rrf(self, rankings: Sequence[tuple[float, Sequence[ChunkId]]]) -> dict[ChunkId, float]:
        fused: dict[ChunkId, float] = {}
        for weight, ranking in rankings:
            if weight <= 0:
                continue
            for position, chunk_id in enumerate(ranking[: self.settings.candidates], start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (self.settings.rrf_k + position)
        return fused

    def _calibrated_dense(self, cosine: float) -> float:
        span = self.settings.dense_full - self.settings.dense_floor
        return min(1.0, max(0.0, (cosine - self.settings.dense_floor) / span))

    def _dense(self, query: str, language: Language | None) -> tuple[Vectors, dict[ChunkId, float]]:
        """The query vector and its nearest chunks in `language` (fetched unfiltered, filtered here)."""
        vector = self.embedder.embed([query])[0]
        wanted = self.settings.candidates
        fetched = self.store.nearest(vector, limit=wanted * 3)
        nearest = [
            (chunk_id, cosine)
            for chunk_id, cosine in fetched
            if chunk_id in self.chunks and (language is None or self.chunks[chunk_id].language == language)
        ]
        if len(nearest) < min(wanted, self.languages[language] if language else len(self.chunks)):
            nearest = self.store.nearest(vector, limit=wanted, language=language)
        return vector, dict(nearest[:wanted])

    def search(self, query: str, *, language: Language | None = None, k: int = 5) -> SearchResult:
        """The `k` best passages for `query` in `language` (detected from the question if not given)."""
        asked: Language = language or detect_language(query, default="en")
        profile = self.settings.profile(asked)
        scope: Language | None = asked if self.languages[asked] else None
        terms = [t.term if not t.may_be_typo else self.lexical.correct(t.term) for t in query_terms(query)]
        lexical = self.lexical.scores(terms, language=scope)
        ngram = self.ngrams.similarity(query, language=scope)
        uses_dense = profile.dense_rank > 0 or profile.dense_relevance > 0
        vector, dense = self._dense(query, scope) if uses_dense and self.chunks else (None, {})
        wanted = self.settings.candidates
        rankings = [
            (profile.dense_rank, sorted(dense, key=lambda c: (-dense[c], c))),
            (
                profile.lexical_rank,
                [ChunkId(hit.chunk_id) for hit in lexical.top(wanted)],
            ),
            (
                profile.ngram_rank,
                [ChunkId(c) for c, _ in ngram.top(wanted)] if profile.ngram_rank > 0 else [],
            ),
        ]
        fused = self._rrf(rankings)
        ranked = sorted(fused, key=lambda c: (-fused[c], c))[: max(k, self.settings.confidence_depth)]
        missing = [c for c in ranked if c not in dense]
        if vector is not None and missing:
            for chunk_id, stored in self.store.vectors(missing).items():
                dense[chunk_id] = float(np.dot(vector, stored))
        best_possible = sum(w for w, _ in rankings if w > 0) / (self.settings.rrf_k + 1) or 1.0
        passages = [
            self._passage(chunk_id, position, fused[chunk_id] / best_possible, profile, dense, lexical, ngram)
            for position, chunk_id in enumerate(ranked, start=1)
            if chunk_id in self.chunks
        ]
        depth = passages[: self.settings.confidence_depth]
        confidence = max((p.relevance for p in depth), default=0.0)
        return SearchResult(
            query=query,
            language=asked,
            passages=tuple(passages[:k]),
            confidence=confidence,
            threshold=profile.threshold,
        )

    def _passage(
        self,
        chunk_id: ChunkId,
        rank: int,
        score: float,
        profile: LanguageProfile,
        dense: Mapping[ChunkId, float],
        lexical: LexicalScores,
        ngram: NgramScores,
    ) -> Passage:
        cosine = dense.get(chunk_id)
        coverage = lexical.coverage(chunk_id)
        similarity = ngram.get(chunk_id)
        relevance = (
            profile.ngram_relevance * min(1.0, similarity / self.settings.ngram_full)
            + profile.dense_relevance * (self._calibrated_dense(cosine) if cosine is not None else 0.0)
            + profile.coverage_relevance * coverage
        )
        return Passage(
            chunk=self.chunks[chunk_id],
            rank=rank,
            score=min(1.0, score),
            relevance=min(1.0, relevance),
            dense=cosine if profile.dense_rank > 0 or profile.dense_relevance > 0 else None,
            coverage=coverage,
            ngram=similarity,
        )
