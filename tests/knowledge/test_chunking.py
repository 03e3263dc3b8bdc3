"""Cutting documents into bounded, citable chunks at sentence boundaries."""

from __future__ import annotations

from pathlib import Path

from knowledge.chunking import MAX_WORDS, MIN_WORDS, chunk_document, split_sentences
from knowledge.documents import discover, read_document
from knowledge.model import Document, DocumentId, Section
from tests.conftest import ROOT


def _document(*sections: Section) -> Document:
    return Document(
        id=DocumentId("kb/en/doc.md"),
        title="Doc",
        language="en",
        sections=sections,
        content_hash="h",
        source=Path("doc.md"),
    )


def _sentence(index: int, words: int = 12) -> str:
    return " ".join([f"Sentence{index}"] + ["word"] * (words - 2) + ["end."])


def test_sentences_end_at_punctuation_but_not_after_abbreviations() -> None:
    text = (
        "Филиал на ул. Покровка, д. 4, м. Чистые пруды. Ждём вас! Bring e.g. photos. Mr. Smith agrees? Yes."
    )
    assert split_sentences(text) == [
        "Филиал на ул. Покровка, д. 4, м. Чистые пруды.",
        "Ждём вас!",
        "Bring e.g. photos.",
        "Mr. Smith agrees?",
        "Yes.",
    ]


def test_a_short_section_is_one_chunk_that_cites_its_section() -> None:
    chunks = chunk_document(_document(Section(("Late cancellation",), ("Cancel a day before.",))), "studio")
    assert len(chunks) == 1
    chunk = chunks[0]
    assert chunk.id == "kb/en/doc.md#0" and chunk.business == "studio"
    assert chunk.citation == "Doc › Late cancellation"
    assert chunk.text == "Cancel a day before."
    assert chunk.indexed_text.startswith("Doc. Late cancellation.")


def test_a_long_section_is_cut_at_sentence_boundaries_into_balanced_bounded_pieces() -> None:
    sentences = [_sentence(i) for i in range(40)]  # 480 words
    chunks = chunk_document(_document(Section(("Long",), (" ".join(sentences),))), "b")
    assert len(chunks) == 3
    assert all(MIN_WORDS <= chunk.words <= MAX_WORDS for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks) == " ".join(sentences), "nothing lost, order kept"
    assert all(chunk.text.endswith("end.") for chunk in chunks), "cut between sentences"
    assert [chunk.position for chunk in chunks] == [0, 1, 2]


def test_a_small_tail_is_merged_into_the_previous_piece_when_it_fits() -> None:
    sentences = [_sentence(i, 20) for i in range(11)]  # 220 words: 200 + 20 would leave a tiny tail
    chunks = chunk_document(_document(Section(("S",), tuple(sentences))), "b")
    assert len(chunks) == 2
    assert all(MIN_WORDS <= chunk.words <= MAX_WORDS for chunk in chunks)


def test_a_run_on_sentence_longer_than_the_limit_is_cut_between_words() -> None:
    chunks = chunk_document(_document(Section(("S",), (" ".join(["word"] * 450),))), "b")
    assert [chunk.words for chunk in chunks] == [200, 200, 50]


def test_list_items_stay_on_their_own_lines() -> None:
    chunks = chunk_document(_document(Section(("S",), ("First item.", "Second item. Still second."))), "b")
    assert chunks[0].text == "First item.\nSecond item. Still second."


def test_every_demo_chunk_is_within_bounds_with_an_id_unique_in_its_business() -> None:
    examples = ROOT / "examples"
    chunks = [
        chunk
        for folder in sorted(examples.glob("*/kb"))
        for source in discover([folder], folder.parent)
        for chunk in chunk_document(read_document(source), folder.parent.name)
    ]
    assert len(chunks) > 400
    assert max(chunk.words for chunk in chunks) <= MAX_WORDS
    assert all(chunk.text.strip() for chunk in chunks)
    assert len({(chunk.business, chunk.id) for chunk in chunks}) == len(chunks)
