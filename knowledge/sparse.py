"""A small column-sorted sparse matrix (rows = chunks, columns = terms or grams) built with numpy.

Both lexical signals keep their rows in dictionaries (cheap to add and remove) and build
this matrix on the first search after a change, so a question costs a few vectorised
gathers over the postings of its own columns instead of a Python loop per posting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tools.playbook._types import Language

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SparseRow:
    """One chunk's column ids and counts."""

    columns: npt.NDArray[np.int32]
    counts: npt.NDArray[np.float32]
    language: Language


@dataclass(frozen=True)
class Postings:
    """Raw postings of all rows, before weighting: for each entry its row, column and count."""

    rows: npt.NDArray[np.int32]
    columns: npt.NDArray[np.int32]
    counts: npt.NDArray[np.float64]
    row_count: int
    width: int


ValueFunction = Callable[[Postings], Floats]
"""Turns raw postings into the stored value of each entry (TF-IDF weight, BM25 term factor, …)."""


class ColumnMatrix:
    """Rows × columns values, sorted by column, with per-row language and id."""

    def __init__(self, ids: list[str], rows: list[SparseRow], width: int, values: ValueFunction) -> None:
        self.ids = ids
        self.positions = {chunk_id: position for position, chunk_id in enumerate(ids)}
        self.languages = np.array([row.language for row in rows])
        lengths = np.array([len(row.columns) for row in rows], dtype=np.int64)
        columns = np.concatenate([r.columns for r in rows]) if rows else np.zeros(0, dtype=np.int32)
        counts = np.concatenate([r.counts for r in rows]).astype(np.float64) if rows else np.zeros(0)
        row_of = np.repeat(np.arange(len(rows), dtype=np.int32), lengths)
        self.frequency = np.bincount(columns, minlength=width)
        """How many rows have each column."""
        weights = values(
            Postings(rows=row_of, columns=columns, counts=counts, row_count=len(rows), width=width)
        )
        order = np.argsort(columns, kind="stable")
        self.rows = row_of[order]
        self.values = weights[order].astype(np.float32)
        self.starts = np.concatenate(([0], np.cumsum(self.frequency)))

    def accumulate(self, columns: npt.NDArray[np.int64], weights: Floats, *, present: bool = False) -> Floats:
        """Per row: Σ over the given columns of weight × stored value (× 1 instead when `present`)."""
        if not len(columns):
            return np.zeros(len(self.ids))
        spans = [(int(self.starts[c]), int(self.starts[c + 1])) for c in columns]
        rows = np.concatenate([self.rows[a:b] for a, b in spans])
        if present:
            values = np.concatenate([np.full(b - a, w) for (a, b), w in zip(spans, weights, strict=True)])
        else:
            values = np.concatenate([self.values[a:b] * w for (a, b), w in zip(spans, weights, strict=True)])
        return np.bincount(rows, weights=values, minlength=len(self.ids)).astype(np.float64)


def top(ids: list[str], scores: Floats, count: int) -> list[tuple[str, float]]:
    """The `count` rows with the highest positive scores, best first (ties by id)."""
    count = min(count, int(np.count_nonzero(scores > 0.0)))
    if count <= 0:
        return []
    best = np.argpartition(-scores, count - 1)[:count]
    ordered = sorted(best.tolist(), key=lambda i: (-scores[i], ids[i]))
    return [(ids[i], float(scores[i])) for i in ordered]
