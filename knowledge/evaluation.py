"""`frontdesk kb eval`: labelled questions → recall@1, recall@3, MRR and "I don't know" rates.

A labelled set (``evals/kb/<business>.yaml``) names its playbook and lists questions with
the documents that answer them, plus out-of-domain questions that no document answers.
The playbook's documents are ingested into a fresh, temporary knowledge base, so the
figures depend only on the documents, the set and the code.

A question is found at rank N when the N-th passage comes from one of its documents;
recall@K counts questions found within the first K passages, MRR averages 1/N over
the first 10 (0 when not found). *Answerable* is the share of labelled questions whose
confidence reaches the threshold; *rejected* the share of out-of-domain ones below it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.business import KnowledgeSource
from knowledge.embeddings import Embedder
from knowledge.model import KnowledgeError
from knowledge.retrieval import SearchResult
from tools.playbook._types import SUPPORTED_LANGUAGES, Language

DEPTH = 10
"""Passages looked at per question for MRR."""


class LabelledQuestion(BaseModel):
    """A customer question and the documents that answer it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field(min_length=1)
    lang: Language
    docs: list[str] = Field(min_length=1)
    """Document ids (relative to the playbook's folder); the first is the main one."""
    section: str = ""
    """The section of the main document that answers it, if known."""


class OutOfDomainQuestion(BaseModel):
    """A question no document answers: its confidence must stay below the threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field(min_length=1)
    lang: Language


class LabelledSet(BaseModel):
    """One business's labelled questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    business: str
    playbook: Path
    """The playbook, relative to the set's file."""
    questions: list[LabelledQuestion] = Field(min_length=1)
    out_of_domain: list[OutOfDomainQuestion] = Field(default_factory=list)


def load_labelled_set(path: Path) -> LabelledSet:
    """Read and validate a labelled set; its playbook path is made absolute."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        labelled = LabelledSet.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise KnowledgeError(f"{path}: not a valid labelled set ({error})") from error
    return labelled.model_copy(update={"playbook": (path.parent / labelled.playbook).resolve()})


@dataclass(frozen=True)
class Miss:
    """A labelled question not found in the top three passages."""

    question: str
    expected: str
    got: tuple[str, ...]
    """Documents of the top three passages."""


@dataclass(frozen=True)
class LanguageScores:
    """The figures of one business in one language."""

    language: Language
    questions: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    section_at_1: float | None
    """Share of questions with a labelled section whose top passage is from it (None: none labelled)."""
    answerable: float
    out_of_domain: int
    rejected: float | None
    """Share of out-of-domain questions below the threshold (None: there are none)."""
    threshold: float
    misses: tuple[Miss, ...]


@dataclass(frozen=True)
class EvalReport:
    """The figures of one labelled set."""

    business: str
    chunks: int
    languages: tuple[LanguageScores, ...]


def _rank(result: SearchResult, documents: Sequence[str]) -> int | None:
    return next((p.rank for p in result.passages if p.document in documents), None)


def _scores(
    kb: KnowledgeBase,
    language: Language,
    labelled: list[LabelledQuestion],
    unanswerable: list[OutOfDomainQuestion],
) -> LanguageScores:
    ranks: list[int | None] = []
    sections: list[bool] = []
    answerable = 0
    misses: list[Miss] = []
    threshold = kb.settings.profile(language).threshold
    for question in labelled:
        result = kb.search(question.q, language=language, k=DEPTH)
        rank = _rank(result, question.docs)
        ranks.append(rank)
        answerable += result.answerable
        if question.section and result.best is not None:
            best = result.best.chunk
            sections.append(best.document == question.docs[0] and best.section.startswith(question.section))
        if rank is None or rank > 3:
            misses.append(Miss(question.q, question.docs[0], tuple(p.document for p in result.passages[:3])))
    rejected = sum(not kb.search(item.q, language=language).answerable for item in unanswerable)
    total = len(labelled)
    return LanguageScores(
        language=language,
        questions=total,
        recall_at_1=sum(1 for r in ranks if r == 1) / total,
        recall_at_3=sum(1 for r in ranks if r is not None and r <= 3) / total,
        mrr=sum(1.0 / r for r in ranks if r is not None) / total,
        section_at_1=sum(sections) / len(sections) if sections else None,
        answerable=answerable / total,
        out_of_domain=len(unanswerable),
        rejected=rejected / len(unanswerable) if unanswerable else None,
        threshold=threshold,
        misses=tuple(misses),
    )


def evaluate(kb: KnowledgeBase, labelled: LabelledSet) -> EvalReport:
    """Score `kb` (already holding the business's documents) on `labelled`."""
    languages: list[LanguageScores] = []
    for language in SUPPORTED_LANGUAGES:
        questions = [q for q in labelled.questions if q.lang == language]
        if questions:
            unanswerable = [q for q in labelled.out_of_domain if q.lang == language]
            languages.append(_scores(kb, language, questions, unanswerable))
    return EvalReport(business=labelled.business, chunks=kb.count(), languages=tuple(languages))


def run_labelled_set(path: Path, embedder: Embedder) -> EvalReport:
    """Ingest the set's playbook documents into a temporary knowledge base and evaluate it."""
    labelled = load_labelled_set(path)
    source = KnowledgeSource.from_playbook(labelled.playbook)
    if source.business != labelled.business:
        raise KnowledgeError(
            f"{path}: business {labelled.business!r} but the playbook is {source.business!r}"
        )
    with tempfile.TemporaryDirectory(prefix="frontdesk-kb-eval-") as folder:
        kb = KnowledgeBase.open(source, data_dir=Path(folder), embedder=embedder)
        kb.ingest()
        return evaluate(kb, labelled)
