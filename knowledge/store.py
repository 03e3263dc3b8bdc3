"""Chunks and their vectors in Chroma: embedded (`PersistentClient`) or a server (`HttpClient`).

One collection per business (``kb-<business id>``), cosine distance, and no embedding
function of Chroma's own: Frontdesk always passes its vectors (Chroma's default would
try to download a model). The collection's metadata carries a *revision* that every
ingestion bumps, so other processes notice the change and rebuild their lexical index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import numpy as np

from knowledge.embeddings import Vectors
from knowledge.language import parse_language
from knowledge.model import Chunk, ChunkId, DocumentId, KnowledgeError
from tools.playbook._types import Language

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Where

PAGE = 2000
"""Records read from Chroma per request when loading a whole collection."""


@dataclass(frozen=True)
class ChromaAddress:
    """Where a Chroma server listens, read from a URL such as ``https://:token@chroma.internal:8000``."""

    host: str
    port: int
    ssl: bool
    token: str | None = None

    @classmethod
    def parse(cls, url: str) -> ChromaAddress:
        """Read ``http(s)://[:token@]host[:port]``; the port defaults to 8000 (http) or 443 (https)."""
        parts = urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise KnowledgeError(f"CHROMA_URL {url!r} is not http(s)://host[:port]")
        ssl = parts.scheme == "https"
        try:
            port = parts.port or (443 if ssl else 8000)
        except ValueError:
            raise KnowledgeError(f"CHROMA_URL {url!r} has an invalid port") from None
        return cls(host=parts.hostname, port=port, ssl=ssl, token=parts.password or None)


def open_client(*, data_dir: Path | None = None, chroma_url: str | None = None) -> ClientAPI:
    """A Chroma client: the server at `chroma_url` if given, else the embedded store in ``data_dir/kb``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        address = ChromaAddress.parse(chroma_url)
        headers = {"X-Chroma-Token": address.token} if address.token else None
        try:
            return chromadb.HttpClient(
                host=address.host, port=address.port, ssl=address.ssl, headers=headers, settings=settings
            )
        except Exception as error:
            raise KnowledgeError(
                f"cannot reach Chroma at {chroma_url} ({error}): start it or unset CHROMA_URL"
            ) from error
    if data_dir is None:
        raise KnowledgeError("no knowledge base location: give a data directory or CHROMA_URL")
    path = data_dir / "kb"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def collection_name(business: str) -> str:
    """The Chroma collection of one business: ``kb-<business id>``."""
    return f"kb-{business}".rstrip("-_")


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "business": chunk.business,
        "document": chunk.document,
        "title": chunk.document_title,
        "section": chunk.section,
        "language": chunk.language,
        "position": chunk.position,
        "hash": chunk.content_hash,
        "document_hash": chunk.document_hash,
    }


def _chunk(chunk_id: str, text: str, meta: dict[str, object]) -> Chunk:
    language: Language = parse_language(str(meta["language"]))
    return Chunk(
        id=ChunkId(chunk_id),
        business=str(meta["business"]),
        document=DocumentId(str(meta["document"])),
        document_title=str(meta["title"]),
        section=str(meta.get("section", "")),
        language=language,
        text=text,
        position=int(cast(int, meta["position"])),
        content_hash=str(meta["hash"]),
        document_hash=str(meta["document_hash"]),
    )


class ChunkStore:
    """The chunks of one business in one Chroma collection."""

    def __init__(self, client: ClientAPI, business: str) -> None:
        self.client = client
        self.business = business
        self.name = collection_name(business)
        self._collection = client.get_or_create_collection(
            self.name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"business": business, "revision": 0},
        )
        self._batch = max(1, min(1000, client.get_max_batch_size()))

    @property
    def collection(self) -> Collection:
        """The Chroma collection."""
        return self._collection

    def count(self) -> int:
        """How many chunks are stored."""
        return int(self._collection.count())

    def revision(self) -> int:
        """The number of ingestions that changed this collection (read fresh from Chroma)."""
        metadata = self.client.get_collection(self.name, embedding_function=None).metadata or {}
        return int(cast(int, metadata.get("revision", 0)))

    def bump_revision(self) -> int:
        """Mark the collection changed; returns the new revision."""
        revision = self.revision() + 1
        self._collection.modify(metadata={"business": self.business, "revision": revision})
        return revision

    def _pages(self, include: list[str]) -> Iterator[dict[str, object]]:
        offset = 0
        while True:
            page = self._collection.get(include=include, limit=PAGE, offset=offset)  # type: ignore[arg-type]
            ids = page["ids"]
            if not ids:
                return
            yield cast(dict[str, object], page)
            offset += len(ids)

    def chunks(self) -> list[Chunk]:
        """Every stored chunk (read in pages)."""
        result: list[Chunk] = []
        for page in self._pages(["documents", "metadatas"]):
            ids = cast(list[str], page["ids"])
            texts = cast(list[str], page["documents"])
            metas = cast(list[dict[str, object]], page["metadatas"])
            result.extend(_chunk(i, t, m) for i, t, m in zip(ids, texts, metas, strict=True))
        return result

    def document_hashes(self) -> dict[DocumentId, str]:
        """The content hash of every stored document.

        A document whose chunks disagree (an ingestion stopped half-way) gets ``""``, so the
        next ingestion rewrites it.
        """
        seen: dict[DocumentId, set[str]] = {}
        for page in self._pages(["metadatas"]):
            for meta in cast(list[dict[str, object]], page["metadatas"]):
                seen.setdefault(DocumentId(str(meta["document"])), set()).add(str(meta["document_hash"]))
        return {document: hashes.pop() if len(hashes) == 1 else "" for document, hashes in seen.items()}

    def add(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Store `chunks` with their `vectors` (same order), replacing chunks with the same ids."""
        for start in range(0, len(chunks), self._batch):
            batch = chunks[start : start + self._batch]
            self._collection.upsert(
                ids=[chunk.id for chunk in batch],
                embeddings=vectors[start : start + self._batch],
                documents=[chunk.text for chunk in batch],
                metadatas=[_metadata(chunk) for chunk in batch],
            )

    def chunk_ids(self, documents: Sequence[DocumentId]) -> list[ChunkId]:
        """The ids of the stored chunks of `documents`."""
        found: list[ChunkId] = []
        for start in range(0, len(documents), self._batch):
            batch: list[str | int | float | bool] = [
                str(document) for document in documents[start : start + self._batch]
            ]
            where = cast("Where", {"document": {"$in": batch}})
            page = self._collection.get(where=where, include=[])
            found.extend(ChunkId(chunk_id) for chunk_id in page["ids"])
        return found

    def delete(self, chunk_ids: Sequence[ChunkId]) -> None:
        """Remove chunks by id."""
        for start in range(0, len(chunk_ids), self._batch):
            self._collection.delete(ids=list(chunk_ids[start : start + self._batch]))

    def nearest(
        self, vector: Vectors, *, limit: int, language: Language | None = None
    ) -> list[tuple[ChunkId, float]]:
        """The `limit` chunks closest to `vector` with their cosine similarity, best first.

        A `language` filter makes Chroma scan metadata (about 20 ms at 10,000 chunks against
        2 ms without), so callers over-fetch unfiltered and filter themselves when they can.
        """
        if limit <= 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=limit,
            where={"language": language} if language else None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(ChunkId(i), 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def vectors(self, chunk_ids: Sequence[ChunkId]) -> dict[ChunkId, Vectors]:
        """The stored vectors of `chunk_ids` (missing ids are left out)."""
        if not chunk_ids:
            return {}
        page = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        embeddings = page["embeddings"]
        if embeddings is None:
            return {}
        return {
            ChunkId(i): np.asarray(e, dtype=np.float32) for i, e in zip(page["ids"], embeddings, strict=True)
        }
