"""Ingestion writes only what changed, removes what disappeared, and never loses data on a mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.model import KnowledgeError
from knowledge.store import ChromaAddress, collection_name
from tests.knowledge.conftest import FakeEmbedder, tiny_pdf, write

CANCELLATION = (
    "# Cancellation\n\n## Late cancellation\n\nCancel free of charge up to 24 hours before the visit.\n"
)
DELIVERY = "# Delivery\n\n## Courier\n\nThe courier brings the order the next day inside MKAD.\n"
RETURNS = "# Возврат\n\n## Сроки\n\nНевскрытый товар можно вернуть в течение 7 дней.\n"


@pytest.fixture
def kb(tmp_path: Path, fake_embedder: FakeEmbedder) -> KnowledgeBase:
    write(tmp_path / "kb/en/cancellation.md", CANCELLATION)
    write(tmp_path / "kb/en/delivery.md", DELIVERY)
    write(tmp_path / "kb/ru/returns.md", RETURNS)
    return KnowledgeBase.open("tiny-salon", data_dir=tmp_path / "data", embedder=fake_embedder)


def test_first_ingestion_adds_every_document_with_its_language(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = kb.ingest([tmp_path / "kb"], root=tmp_path)
    assert report.added == ("kb/en/cancellation.md", "kb/en/delivery.md", "kb/ru/returns.md")
    assert report.updated == report.removed == report.unchanged == ()
    assert report.chunks_written == report.chunks_total == 3 == kb.count()
    languages = {chunk.document: chunk.language for chunk in kb.store.chunks()}
    assert languages == {"kb/en/cancellation.md": "en", "kb/en/delivery.md": "en", "kb/ru/returns.md": "ru"}


def test_reingesting_embeds_only_changed_documents_and_removes_deleted_ones(
    kb: KnowledgeBase, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    kb.ingest([tmp_path / "kb"], root=tmp_path)
    before = fake_embedder.embedded
    again = kb.ingest([tmp_path / "kb"], root=tmp_path)
    assert again.unchanged == ("kb/en/cancellation.md", "kb/en/delivery.md", "kb/ru/returns.md")
    assert not again.changed and fake_embedder.embedded == before, "nothing is embedded twice"

    write(tmp_path / "kb/en/cancellation.md", CANCELLATION.replace("24 hours", "48 hours"))
    (tmp_path / "kb/en/delivery.md").unlink()
    write(tmp_path / "kb/en/gifts.md", "# Gift cards\n\nAny amount from 3000 RUB.\n")
    report = kb.ingest([tmp_path / "kb"], root=tmp_path)
    assert report.added == ("kb/en/gifts.md",)
    assert report.updated == ("kb/en/cancellation.md",)
    assert report.removed == ("kb/en/delivery.md",)
    assert report.unchanged == ("kb/ru/returns.md",)
    assert fake_embedder.embedded == before + 2, "only the new and the changed document are embedded"
    stored: dict[str, str] = {chunk.document: chunk.text for chunk in kb.store.chunks()}
    assert set(stored) == {"kb/en/cancellation.md", "kb/en/gifts.md", "kb/ru/returns.md"}
    assert "48 hours" in stored["kb/en/cancellation.md"]
    assert kb.search("courier next day").passages[0].document != "kb/en/delivery.md"


def test_a_document_that_shrinks_loses_its_extra_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    long = "# Long\n\n" + "\n\n".join(f"## Part {i}\n\nText of part {i}." for i in range(5))
    write(tmp_path / "kb/en/long.md", long)
    kb.ingest([tmp_path / "kb"], root=tmp_path)
    write(tmp_path / "kb/en/long.md", "# Long\n\n## Part 0\n\nOnly one part now.")
    report = kb.ingest([tmp_path / "kb"], root=tmp_path)
    assert report.updated == ("kb/en/long.md",) and report.chunks_deleted == 4
    assert [c.text for c in kb.store.chunks() if c.document == "kb/en/long.md"] == ["Only one part now."]


def test_ingesting_one_folder_leaves_documents_of_other_folders_alone(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    kb.ingest([tmp_path / "kb"], root=tmp_path)
    (tmp_path / "kb/en/delivery.md").unlink()
    report = kb.ingest([tmp_path / "kb/ru"], root=tmp_path)
    assert report.removed == () and report.unchanged == ("kb/ru/returns.md",)
    assert kb.count() == 3


def test_an_unreadable_file_is_reported_and_its_stored_chunks_are_kept(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    pdf = tmp_path / "kb/en/price-list.pdf"
    pdf.write_bytes(tiny_pdf([["Haircut costs 3000 RUB."]], "Price list"))
    assert "kb/en/price-list.pdf" in kb.ingest([tmp_path / "kb"], root=tmp_path).added
    pdf.write_bytes(b"%PDF-1.4 garbage")
    report = kb.ingest([tmp_path / "kb"], root=tmp_path)
    assert [s.path.name for s in report.skipped] == ["price-list.pdf"]
    assert "not a readable PDF" in report.skipped[0].reason
    assert report.removed == () and not report.changed
    assert kb.search("haircut price").passages[0].text == "Haircut costs 3000 RUB."


def test_a_missing_path_changes_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest([tmp_path / "kb"], root=tmp_path)
    with pytest.raises(KnowledgeError, match="does not exist"):
        kb.ingest([tmp_path / "kb", tmp_path / "typo"], root=tmp_path)
    assert kb.count() == 3


def test_another_process_sees_an_ingestion_on_its_next_search(
    kb: KnowledgeBase, tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = KnowledgeBase.open("tiny-salon", data_dir=tmp_path / "data", embedder=fake_embedder)
    assert reader.count() == 0
    kb.ingest([tmp_path / "kb"], root=tmp_path)
    monkeypatch.setattr("knowledge.base.REVISION_CHECK_S", 0.0)
    result = reader.search("cancel free of charge")
    assert reader.count() == 3
    assert result.passages[0].document == "kb/en/cancellation.md"


def test_businesses_have_separate_collections(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    write(tmp_path / "kb/en/a.md", CANCELLATION)
    first = KnowledgeBase.open("studio", data_dir=tmp_path / "data", embedder=fake_embedder)
    second = KnowledgeBase.open("renovation", data_dir=tmp_path / "data", embedder=fake_embedder)
    first.ingest([tmp_path / "kb"], root=tmp_path)
    assert (first.count(), second.count()) == (1, 0)
    assert collection_name("studio") == "kb-studio"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8000", ChromaAddress("localhost", 8000, ssl=False)),
        ("https://chroma.internal", ChromaAddress("chroma.internal", 443, ssl=True)),
        ("chroma:9000", ChromaAddress("chroma", 9000, ssl=False)),
        ("https://:s3cret@db.example:8443", ChromaAddress("db.example", 8443, ssl=True, token="s3cret")),
    ],
)
def test_chroma_urls_are_read_into_host_port_and_ssl(url: str, expected: ChromaAddress) -> None:
    assert ChromaAddress.parse(url) == expected


def test_a_bad_chroma_url_says_what_is_expected() -> None:
    with pytest.raises(KnowledgeError, match="http"):
        ChromaAddress.parse("ftp://chroma")
