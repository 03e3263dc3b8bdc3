"""Ingestion: files → chunks → vectors → the store, touching only what changed.

A document is re-chunked and re-embedded only when its content hash differs from
the one stored with its chunks; documents that vanished from the ingested paths are
removed. Paths outside the ingested ones are left alone, so ingesting ``kb/en`` never
deletes ``kb/ru``. A file that cannot be read is reported and its stored chunks are
kept as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.chunking import chunk_document
from knowledge.documents import SourceFile, discover, document_id, read_document
from knowledge.embeddings import Embedder
from knowledge.model import Chunk, ChunkId, DocumentId, KnowledgeError
from knowledge.store import ChunkStore

EMBED_BATCH = 64
"""Chunks embedded per model call; progress is reported after each batch."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with counts of chunks embedded so far and in all."""


@dataclass(frozen=True)
class SkippedDocument:
    """A file that was not ingested, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """What an ingestion changed."""

    business: str
    added: tuple[DocumentId, ...]
    updated: tuple[DocumentId, ...]
    unchanged: tuple[DocumentId, ...]
    removed: tuple[DocumentId, ...]
    skipped: tuple[SkippedDocument, ...]
    chunks_written: int
    chunks_deleted: int
    chunks_total: int
    """Chunks in the collection afterwards."""
    seconds: float

    @property
    def changed(self) -> bool:
        """Whether anything was written or deleted."""
        return bool(self.chunks_written or self.chunks_deleted)


@dataclass(frozen=True)
class IngestOutcome:
    """The report plus the exact chunk changes, for keeping the lexical index in step."""

    report: IngestReport
    written: tuple[Chunk, ...]
    deleted: tuple[ChunkId, ...]


def _in_scope(document: DocumentId, scopes: Sequence[str]) -> bool:
    return any(
        scope in {"", "."} or document == scope or document.startswith(scope + "/") for scope in scopes
    )


def _read_all(
    sources: list[SourceFile], business: str
) -> tuple[dict[DocumentId, list[Chunk]], list[SkippedDocument]]:
    chunks: dict[DocumentId, list[Chunk]] = {}
    skipped: list[SkippedDocument] = []
    for source in sources:
        try:
            document = read_document(source)
        except KnowledgeError as error:
            skipped.append(SkippedDocument(path=source.path, reason=str(error)))
            continue
        pieces = chunk_document(document, business)
        if not pieces:
            skipped.append(
                SkippedDocument(path=source.path, reason="no text found (a scanned PDF has no text layer)")
            )
            continue
        chunks[document.id] = pieces
    return chunks, skipped


def ingest(
    store: ChunkStore,
    embedder: Embedder,
    paths: Sequence[Path],
    *,
    root: Path,
    progress: ProgressCallback | None = None,
) -> IngestOutcome:
    """Bring the store in line with the files under `paths`; document ids are relative to `root`.

    Raises `KnowledgeError` when a path does not exist or lies outside `root` (nothing is changed then).
    """
    started = time.perf_counter()
    sources = list(discover(paths, root))
    scopes = [document_id(path, root) for path in paths]
    stored = store.document_hashes()
    fresh, skipped = _read_all(sources, store.business)
    skipped_ids = {document_id(item.path, root) for item in skipped}

    added = [doc for doc in fresh if doc not in stored]
    updated = [doc for doc in fresh if doc in stored and stored[doc] != fresh[doc][0].document_hash]
    unchanged = [doc for doc in fresh if doc in stored and stored[doc] == fresh[doc][0].document_hash]
    present = set(fresh) | skipped_ids
    removed = sorted(doc for doc in stored if _in_scope(doc, scopes) and doc not in present)

    to_write = [chunk for doc in (*added, *updated) for chunk in fresh[doc]]
    old_ids = set(store.chunk_ids([*updated, *removed])) if updated or removed else set()
    stale = sorted(old_ids - {chunk.id for chunk in to_write})

    total = len(to_write)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, EMBED_BATCH):
        batch = to_write[start : start + EMBED_BATCH]
        store.add(batch, embedder.embed([chunk.indexed_text for chunk in batch]))
        if progress is not None:
            progress(start + len(batch), total)
    store.delete(stale)
    if to_write or stale:
        store.bump_revision()

    report = IngestReport(
        business=store.business,
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        removed=tuple(removed),
        skipped=tuple(skipped),
        chunks_written=total,
        chunks_deleted=len(stale),
        chunks_total=store.count(),
        seconds=time.perf_counter() - started,
    )
    return IngestOutcome(report=report, written=tuple(to_write), deleted=tuple(stale))
