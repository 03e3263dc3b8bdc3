"""`KnowledgeBase`: one business's documents — ingest, search, answer with citations.

    kb = KnowledgeBase.open(KnowledgeSource.from_playbook(path), data_dir=Path("var"))
    kb.ingest()                                   # the playbook's knowledge.paths
    result = kb.search("можно ли отменить запись")
    if result.answerable: ...                     # else: say so, offer a person or a ticket
    reply = kb.answer("how late can I cancel?")   # Answer(text, citation, …) or None

Searching is synchronous and CPU-bound (about 10–30 ms); async code calls `asearch` /
`aanswer`, which run it in a worker thread. The lexical indexes live in memory and are
rebuilt from the store on open; when another process ingests (the store's revision
changes) they are rebuilt before the next search.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.answer import Answer, answer
from knowledge.business import KnowledgeSource
from knowledge.embeddings import Embedder, shared_embedder
from knowledge.ingest import IngestReport, ProgressCallback, ingest
from knowledge.model import KnowledgeError
from knowledge.retrieval import HybridRetriever, RetrievalSettings, SearchResult
from knowledge.store import ChunkStore, open_client
from tools.playbook._types import Language

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

REVISION_CHECK_S = 2.0
"""How often (at most) a search asks the store whether another process changed it."""


def _common_root(paths: Sequence[Path]) -> Path:
    resolved = [path.resolve() for path in paths]
    folders = [path if path.is_dir() else path.parent for path in resolved]
    common = folders[0]
    while not all(folder == common or common in folder.parents for folder in folders):
        common = common.parent
    return common


class KnowledgeBase:
    """The knowledge base of one business (one Chroma collection)."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        *,
        source: KnowledgeSource | None = None,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.retriever = HybridRetriever(store, embedder, settings or RetrievalSettings())
        self._lock = threading.RLock()
        self._revision = -1
        self._checked = 0.0
        self.refresh()

    @classmethod
    def open(
        cls,
        business: KnowledgeSource | str,
        *,
        data_dir: Path | None = None,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
        settings: RetrievalSettings | None = None,
        client: ClientAPI | None = None,
    ) -> KnowledgeBase:
        """Open (creating if needed) the knowledge base of `business`.

        The store is the Chroma server at `chroma_url` if given, else the embedded one
        under `data_dir` (or an already built `client`). The embedder defaults to the
        process-wide packaged MiniLM, loaded on first use.
        """
        source = business if isinstance(business, KnowledgeSource) else None
        business_id = business.business if isinstance(business, KnowledgeSource) else business
        chroma = client if client is not None else open_client(data_dir=data_dir, chroma_url=chroma_url)
        try:
            store = ChunkStore(chroma, business_id)
        except Exception as error:  # Chroma raises its own, connection and validation errors
            where = chroma_url or data_dir or "the given client"
            raise KnowledgeError(
                f"cannot open the knowledge base of {business_id} at {where} ({error}); "
                "check CHROMA_URL or the data directory"
            ) from error
        return cls(
            store, embedder if embedder is not None else shared_embedder(), source=source, settings=settings
        )

    @property
    def business(self) -> str:
        """The business id."""
        return self.store.business

    @property
    def settings(self) -> RetrievalSettings:
        """The retrieval tuning in use."""
        return self.retriever.settings

    def count(self) -> int:
        """How many chunks are indexed."""
        return len(self.retriever.chunks)

    def refresh(self) -> None:
        """Rebuild the in-memory indexes from the store if another process changed it."""
        with self._lock:
            revision = self.store.revision()
            self._checked = time.monotonic()
            if revision != self._revision or len(self.retriever.chunks) != self.store.count():
                self.retriever.load(self.store.chunks())
                self._revision = revision

    def _maybe_refresh(self) -> None:
        if time.monotonic() - self._checked >= REVISION_CHECK_S:
            self.refresh()

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        *,
        root: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest files and folders (default: the playbook's knowledge paths); only changes are written.

        Document ids are paths relative to `root`: by default the playbook's folder, or
        the closest folder containing every path when the knowledge base has no playbook.
        """
        targets = list(paths) if paths is not None else list(self.source.paths if self.source else [])
        if not targets:
            raise KnowledgeError(
                "nothing to ingest: give files or folders (or a playbook with knowledge.paths)"
            )
        base = root or (self.source.root if self.source else _common_root(targets))
        with self._lock:
            outcome = ingest(self.store, self.retriever.embedder, targets, root=base, progress=progress)
            self.retriever.apply(outcome.written, outcome.deleted)
            self._revision = self.store.revision()
            self._checked = time.monotonic()
        return outcome.report

    def search(self, query: str, *, language: Language | None = None, k: int = 5) -> SearchResult:
        """The `k` best passages for `query`, with a confidence; see `SearchResult.answerable`."""
        self._maybe_refresh()
        with self._lock:
            return self.retriever.search(query, language=language, k=k)

    def answer(self, query: str, *, language: Language | None = None) -> Answer | None:
        """The best passage trimmed to the answering sentences, with its citation; None below the threshold."""
        result = self.search(query, language=language, k=self.settings.confidence_depth)
        with self._lock:
            return answer(result, self.retriever.lexical.idf)

    async def asearch(self, query: str, *, language: Language | None = None, k: int = 5) -> SearchResult:
        """`search` in a worker thread, for async callers."""
        return await asyncio.to_thread(self.search, query, language=language, k=k)

    async def aanswer(self, query: str, *, language: Language | None = None) -> Answer | None:
        """`answer` in a worker thread, for async callers."""
        return await asyncio.to_thread(self.answer, query, language=language)
