"""Comparing two runs: dialogues that flipped, metric deltas, and what counts as a regression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.dialogues.compare import compare, read_summary
from evals.dialogues.outputs import FORMAT
from tools.errors import ConfigError


def _write(path: Path, statuses: dict[str, str], **metrics: float | None) -> Path:
    document = {
        "format": FORMAT,
        "metadata": {"git_commit": "abc"},
        "metrics": {"task_success": 1.0, "latency_p50_ms": 10.0, **metrics},
        "dialogues": [{"id": key, "status": value} for key, value in statuses.items()],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_flips_additions_and_metric_moves_are_reported(tmp_path: Path) -> None:
    before = _write(
        tmp_path / "a.json", {"x": "passed", "y": "failed", "gone": "passed"}, routing_accuracy=0.9
    )
    after = _write(
        tmp_path / "b.json",
        {"x": "failed", "y": "passed", "new": "passed"},
        routing_accuracy=0.95,
        latency_p50_ms=99.0,
    )
    result = compare(read_summary(before), read_summary(after))
    assert (result.regressed, result.improved, result.added, result.removed) == (
        ("x",),
        ("y",),
        ("new",),
        ("gone",),
    )
    deltas = {m.name: m for m in result.metrics}
    assert deltas["routing_accuracy"].improved and deltas["routing_accuracy"].delta == pytest.approx(0.05)
    assert not deltas["latency_p50_ms"].regressed, "latency never counts as a regression"
    assert result.has_regressions


def test_a_metric_drop_is_a_regression_beyond_the_tolerance(tmp_path: Path) -> None:
    before = _write(tmp_path / "a.json", {"x": "passed"}, **{"pass^1": 1.0, "tool_recall": 0.9})
    after = _write(tmp_path / "b.json", {"x": "passed"}, **{"pass^1": 1.0, "tool_recall": 0.88})
    assert compare(read_summary(before), read_summary(after)).has_regressions
    assert not compare(read_summary(before), read_summary(after), tolerance=0.05).has_regressions
    assert not compare(read_summary(before), read_summary(before)).has_regressions


def test_a_file_that_is_not_a_results_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a results file"):
        read_summary(other)
    with pytest.raises(ConfigError, match="cannot be read"):
        read_summary(tmp_path / "missing.json")
