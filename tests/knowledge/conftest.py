"""Knowledge base fixtures: the real MiniLM model loaded once per session, a fake embedder, and the
studio's demo knowledge base ingested once into a session data directory."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.analysis import words
from knowledge.base import KnowledgeBase
from knowledge.business import KnowledgeSource
from knowledge.embeddings import SentenceTransformerEmbedder, Vectors, shared_embedder
from tests.conftest import ROOT


class FakeEmbedder:
    """Deterministic bag-of-words vectors (64 dimensions): fast, and equal texts get equal vectors."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                vectors[row, zlib.crc32(word.encode()) % 64] += 1.0
            vectors[row, 63] += 0.01
        normalised: Vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return normalised

    @property
    def embedded(self) -> int:
        """Texts embedded so far."""
        return sum(self.calls)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The packaged MiniLM, shared with everything else in the process (the CLI uses it too)."""
    model = shared_embedder()
    model.embed(["warm-up"])
    return model


@pytest.fixture(scope="session")
def studio_kb(shared_data_dir: Path, embedder: SentenceTransformerEmbedder) -> KnowledgeBase:
    """The studio's demo documents (both languages), ingested once for the session.

    It lives where the dialogue tests and eval runs of the session keep theirs, so it is embedded once.
    """
    source = KnowledgeSource.from_playbook(ROOT / "examples/studio/playbook.yaml")
    folder = shared_data_dir / "cache" / "eval-knowledge"
    kb = KnowledgeBase.open(source, data_dir=folder, embedder=embedder)
    kb.ingest()
    return kb


def write(path: Path, text: str) -> Path:
    """Write `text` to `path`, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tiny_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal valid PDF with one Helvetica text line per entry, one page per list."""
    objects: list[bytes] = []
    page_ids = [3 + 2 * index for index in range(len(pages))]
    font_id = 3 + 2 * len(pages)
    info_id = font_id + 1
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for page_id, lines in zip(page_ids, pages, strict=True):
        shown = " T* ".join("(" + line.replace("(", r"\(").replace(")", r"\)") + ") Tj" for line in lines)
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_id + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({title}) >>".encode() if title else b"<< >>")
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_id,
        xref,
    )
    return body
