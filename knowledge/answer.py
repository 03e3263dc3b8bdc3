"""The offline answer: the best passage trimmed to the sentences that answer the question.

Sentences are scored by the question terms they contain (IDF-weighted, so "deposit"
counts more than "visit") plus a small share of their character 4-gram overlap, which
catches typos and inflections. The best sentence is kept with its neighbours that
score at least half as well, in the passage's order, up to `MAX_WORDS`; a sentence
that introduces a list (ends with a colon) brings the list's first item along, and a
question (a FAQ entry's heading line) brings its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.analysis import terms
from knowledge.chunking import split_sentences
from knowledge.ngrams import grams
from knowledge.retrieval import Passage, SearchResult

MAX_WORDS = 70
"""An offline answer is at most about this long (whole sentences are never cut)."""
NEIGHBOUR_SHARE = 0.5
"""Sentences scoring at least this share of the best one join the answer."""


@dataclass(frozen=True)
class Answer:
    """What the knowledge base says to a question, with its source."""

    text: str
    """The answering sentences, verbatim from the document; list items and table rows on their own lines."""
    citation: str
    """``Document title › Section``."""
    passage: Passage
    confidence: float


def _overlap(question: set[str], sentence: set[str]) -> float:
    return len(question & sentence) / len(question) if question else 0.0


def trim(passage: Passage, question: str, idf: Callable[[str], float], max_words: int = MAX_WORDS) -> str:
    """The sentences of `passage` that answer `question`, in the passage's order (one line per list item)."""
    placed = [
        (row, sentence)
        for row, line in enumerate(passage.text.splitlines())
        for sentence in split_sentences(line)
    ]
    sentences = [sentence for _, sentence in placed]
    if not sentences:
        return passage.text
    wanted = set(terms(question))
    question_grams = set(grams(question))
    weight = sum(idf(term) for term in wanted) or 1.0
    scores = []
    for sentence in sentences:
        lexical = sum(idf(term) for term in wanted & set(terms(sentence))) / weight
        scores.append(lexical + 0.5 * _overlap(question_grams, set(grams(sentence))))
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    chosen = {best}
    if sentences[best].rstrip().endswith((":", "?")) and best + 1 < len(sentences):
        chosen.add(best + 1)
    words = sum(len(sentences[i].split()) for i in chosen)
    for index in sorted(range(len(sentences)), key=lambda i: -scores[i]):
        if index in chosen or scores[index] < NEIGHBOUR_SHARE * scores[best] or scores[index] == 0:
            continue
        size = len(sentences[index].split())
        if words + size > max_words:
            continue
        chosen.add(index)
        words += size
    lines: dict[int, list[str]] = {}
    for index in sorted(chosen):
        row, sentence = placed[index]
        lines.setdefault(row, []).append(sentence)
    return "\n".join(" ".join(parts) for parts in lines.values())


def answer(result: SearchResult, idf: Callable[[str], float]) -> Answer | None:
    """The offline answer to a search `result`, or None when it is not confident enough to answer."""
    best = result.best
    if best is None or not result.answerable:
        return None
    return Answer(
        text=trim(best, result.query, idf),
        citation=best.citation,
        passage=best,
        confidence=result.confidence,
    )
