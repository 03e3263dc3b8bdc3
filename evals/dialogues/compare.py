"""Compare two results files (``--json``): which dialogues flipped and how the metrics moved.

A regression is a dialogue that passed in A and fails in B, or a quality metric
(task success, pass^k, routing and slot accuracy, tool and escalation precision and
recall) that dropped by more than the tolerance. Latency and token figures are shown
but never count as regressions (they vary between machines).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.dialogues.outputs import FORMAT, HIGHER_IS_BETTER
from tools.errors import ConfigError


@dataclass(frozen=True)
class RunSummary:
    """What comparison needs of one results file."""

    source: str
    statuses: Mapping[str, str]
    """Dialogue id → passed / failed / skipped."""
    metrics: Mapping[str, float | None]
    commit: str | None


@dataclass(frozen=True)
class MetricDelta:
    """One metric in both runs."""

    name: str
    before: float | None
    after: float | None
    regressed: bool
    improved: bool

    @property
    def delta(self) -> float | None:
        """after − before, when both exist."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    """How B differs from A."""

    before: RunSummary
    after: RunSummary
    regressed: tuple[str, ...]
    """Dialogues that passed before and fail now."""
    improved: tuple[str, ...]
    """Dialogues that failed before and pass now."""
    added: tuple[str, ...]
    removed: tuple[str, ...]
    metrics: tuple[MetricDelta, ...]

    @property
    def has_regressions(self) -> bool:
        """Whether anything got worse."""
        return bool(self.regressed) or any(m.regressed for m in self.metrics)


def read_summary(path: Path) -> RunSummary:
    """Read a results file written by ``frontdesk eval run --json``.

    Raises:
        ConfigError: the file is missing or is not such a results file.
    """
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path}: not a results file of `frontdesk eval run --json` (format {FORMAT})")
    statuses = {str(d["id"]): str(d["status"]) for d in data.get("dialogues", [])}
    metrics = {
        str(name): (float(value) if isinstance(value, int | float) else None)
        for name, value in data.get("metrics", {}).items()
    }
    commit = data.get("metadata", {}).get("git_commit")
    return RunSummary(str(path), statuses, metrics, str(commit) if commit else None)


def _is_quality(name: str) -> bool:
    return name in HIGHER_IS_BETTER or name.startswith("pass^")


def compare(before: RunSummary, after: RunSummary, *, tolerance: float = 0.0) -> Comparison:
    """Dialogue flips and metric deltas from `before` to `after`; drops within `tolerance` are not regressions."""
    shared = [i for i in before.statuses if i in after.statuses]
    regressed = tuple(i for i in shared if before.statuses[i] == "passed" and after.statuses[i] == "failed")
    improved = tuple(i for i in shared if before.statuses[i] == "failed" and after.statuses[i] == "passed")
    added = tuple(i for i in after.statuses if i not in before.statuses)
    removed = tuple(i for i in before.statuses if i not in after.statuses)
    deltas = []
    for name in dict.fromkeys([*before.metrics, *after.metrics]):
        old, new = before.metrics.get(name), after.metrics.get(name)
        quality = _is_quality(name)
        worse = quality and old is not None and new is not None and new < old - tolerance
        better = quality and old is not None and new is not None and new > old + tolerance
        deltas.append(MetricDelta(name, old, new, worse, better))
    return Comparison(before, after, regressed, improved, added, removed, tuple(deltas))
