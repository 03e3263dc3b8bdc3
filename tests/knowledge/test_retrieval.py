"""Bilingual hybrid retrieval over the studio's real documents with the real MiniLM model."""

from __future__ import annotations

import pytest

from knowledge.analysis import terms
from knowledge.answer import trim
from knowledge.base import KnowledgeBase
from knowledge.lexical import LexicalIndex
from knowledge.model import Chunk, ChunkId, DocumentId
from knowledge.retrieval import Passage

RUSSIAN = [
    ("сколько стоит подарочный сертификат", "kb/ru/gift-certificates.md"),
    ("можно ли отменить запись", "kb/ru/cancellation.md"),
    ("вы присылаете напоминания перед визитом?", "kb/ru/cancellation.md"),
    ("сколько стоит доставка курьером по москве", "kb/ru/delivery.md"),
    ("через сколько можно мыть голову после покраски", "kb/ru/coloring-care.md"),
]
ENGLISH = [
    ("how late can I cancel my appointment without paying?", "kb/en/cancellation.md"),
    ("how much is a gift card", "kb/en/gift-certificates.md"),
    ("do you ship to Kazakhstan?", "kb/en/delivery.md"),
    ("is massage ok if i have varicose veins", "kb/en/massage-spa.md"),
    ("you charged me twice for the same order!!", "kb/en/payment.md"),
]
OUT_OF_DOMAIN = [
    "what's the capital of France",
    "recommend me a good sci-fi novel",
    "как испечь блины",
    "какая завтра погода в Сочи",
]


@pytest.mark.parametrize(("question", "document"), RUSSIAN)
def test_russian_questions_find_the_russian_document_first(
    studio_kb: KnowledgeBase, question: str, document: str
) -> None:
    result = studio_kb.search(question)
    assert result.language == "ru"
    assert result.passages[0].document == document
    assert all(p.chunk.language == "ru" for p in result.passages)


@pytest.mark.parametrize(("question", "document"), ENGLISH)
def test_english_questions_find_the_english_document_in_the_top_two(
    studio_kb: KnowledgeBase, question: str, document: str
) -> None:
    result = studio_kb.search(question)
    assert result.language == "en"
    assert document in [p.document for p in result.passages[:2]]


@pytest.mark.parametrize(
    "question",
    [
        "сколько стоит подарочный сертификат",
        "можно ли отменить запись",
        "how late can I cancel?",
        "how much is a gift card",
    ],
)
def test_plain_questions_the_documents_answer_are_confident(studio_kb: KnowledgeBase, question: str) -> None:
    result = studio_kb.search(question)
    assert result.confidence >= result.threshold
    assert result.answerable


@pytest.mark.parametrize("question", OUT_OF_DOMAIN)
def test_questions_the_documents_do_not_answer_fall_below_the_threshold(
    studio_kb: KnowledgeBase, question: str
) -> None:
    result = studio_kb.search(question)
    assert result.confidence < result.threshold
    assert not result.answerable
    assert studio_kb.answer(question) is None


def test_scores_are_in_range_and_ranked(studio_kb: KnowledgeBase) -> None:
    result = studio_kb.search("gel polish chipped after three days", k=5)
    assert [p.rank for p in result.passages] == [1, 2, 3, 4, 5]
    scores = [p.score for p in result.passages]
    assert scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(1.0, abs=0.2)
    assert all(0.0 <= p.score <= 1.0 and 0.0 <= p.relevance <= 1.0 for p in result.passages)
    assert 0.0 <= result.confidence <= 1.0


def test_a_language_can_be_forced(studio_kb: KnowledgeBase) -> None:
    result = studio_kb.search("SPA", language="ru")
    assert result.language == "ru" and all(p.chunk.language == "ru" for p in result.passages)


def test_a_misspelt_russian_word_still_finds_its_document(studio_kb: KnowledgeBase) -> None:
    result = studio_kb.search("сертефикат именной?")
    assert result.passages[0].document == "kb/ru/gift-certificates.md"


def test_the_offline_answer_is_the_answering_sentence_with_a_citation(studio_kb: KnowledgeBase) -> None:
    reply = studio_kb.answer("можно ли отменить запись")
    assert reply is not None
    assert reply.citation == "Отмена, перенос записи и опоздания › Перенос и отмена"
    assert "24 часа" in reply.text
    assert all(line in reply.passage.text for line in reply.text.splitlines()), "verbatim"
    english = studio_kb.answer("how long does gel polish last?")
    assert english is not None
    assert "3–4 weeks" in english.text and english.citation.startswith("Nails, brows and lashes")
    assert len(english.text.split()) < len(english.passage.text.split())


async def test_async_callers_get_the_same_result(studio_kb: KnowledgeBase) -> None:
    result = await studio_kb.asearch("можно ли отменить запись")
    assert result.passages[0].document == "kb/ru/cancellation.md"
    reply = await studio_kb.aanswer("можно ли отменить запись")
    assert reply is not None and reply.citation.startswith("Отмена")


def test_bm25_prefers_the_chunk_with_more_of_the_rare_terms_and_reports_coverage() -> None:
    index = LexicalIndex()
    index.add("a", terms("Подарочный сертификат действует 12 месяцев"), "ru")
    index.add("b", terms("Сертификат можно купить в филиале"), "ru")
    index.add("c", terms("Gift certificates are valid for 12 months"), "en")
    hits = index.search(terms("сколько действует сертификат"), language="ru")
    assert [hit.chunk_id for hit in hits] == ["a", "b"]
    assert 0.0 < hits[1].coverage < hits[0].coverage <= 1.0
    assert index.correct("сертефикат") == "сертификат"
    assert index.correct("сертификат") == "сертификат"
    index.remove(["a"])
    assert [hit.chunk_id for hit in index.search(terms("действует сертификат"))] == ["b"]


def _passage(text: str) -> Passage:
    chunk = Chunk(
        id=ChunkId("kb/en/deposits.md#1"),
        business="studio",
        document=DocumentId("kb/en/deposits.md"),
        document_title="Deposits",
        section="How to pay",
        language="en",
        text=text,
        position=1,
        content_hash="c",
        document_hash="d",
    )
    return Passage(chunk=chunk, rank=1, score=1.0, relevance=0.9, dense=None, coverage=1.0, ngram=0.5)


def test_trimming_keeps_only_the_answering_sentences_in_document_order() -> None:
    passage = _passage(
        "After booking you get a payment link in the chat.\n"
        "Please pay within 24 hours. If the deposit is not paid in time, the slot is released.\n"
        "The receipt is sent to your e-mail."
    )
    assert (
        trim(passage, "how many hours do I have to pay?", idf=lambda term: 1.0)
        == "Please pay within 24 hours."
    )
    both = trim(passage, "what if the deposit is not paid within 24 hours?", idf=lambda term: 1.0)
    assert both == "Please pay within 24 hours. If the deposit is not paid in time, the slot is released."
    listed = trim(
        _passage("Cards: Mir, Visa.\nCash in rubles.\nTips are welcome."), "cards or cash?", idf=lambda t: 1.0
    )
    assert listed == "Cards: Mir, Visa.\nCash in rubles.", "list items stay on their own lines"
