"""The JSON results file (``--json``) and the headline figures every output shows.

The file holds the run's metadata (git commit included when readable), the metrics
(flat, for ``frontdesk eval compare``), their counts, the per-language / per-tag /
per-suite breakdowns, and every dialogue with every trial, step, tool call and check.
"""

from __future__ import annotations

import json
from pathlib import Path

from evals.dialogues.metrics import Group, Metrics, Rate
from evals.dialogues.model import Json
from evals.dialogues.recording import plain
from evals.dialogues.results import DialogueResult
from evals.dialogues.run import RunResult

FORMAT = "frontdesk-eval/1"

HIGHER_IS_BETTER = (
    "task_success",
    "routing_accuracy",
    "slot_accuracy",
    "tool_precision",
    "tool_recall",
    "escalation_precision",
    "escalation_recall",
)
"""Quality metrics: a drop is a regression (pass^k values are added to these)."""


def _rates(metrics: Metrics) -> dict[str, Rate]:
    return {
        "routing_accuracy": metrics.routing,
        "slot_accuracy": metrics.slots,
        "tool_precision": metrics.tool_precision,
        "tool_recall": metrics.tool_recall,
        "escalation_precision": metrics.escalation_precision,
        "escalation_recall": metrics.escalation_recall,
    }


def summary(metrics: Metrics) -> dict[str, float | int | None]:
    """The headline figures by name, in display order."""
    figures: dict[str, float | int | None] = {
        "dialogues": metrics.dialogues,
        "passed": metrics.passed,
        "failed": metrics.failed,
        "skipped": metrics.skipped,
        "task_success": metrics.task_success,
    }
    figures.update({f"pass^{k}": value for k, value in sorted(metrics.pass_hat.items())})
    figures.update({name: rate.value for name, rate in _rates(metrics).items()})
    figures.update(
        {
            "turns": metrics.turns,
            "latency_p50_ms": metrics.latency_p50_ms,
            "latency_p95_ms": metrics.latency_p95_ms,
            "llm_calls_per_turn": round(metrics.llm_calls_per_turn, 3),
            "llm_tokens_per_turn": round(metrics.llm_tokens_per_turn, 1),
            "simulator_tokens": metrics.simulator_tokens,
        }
    )
    return figures


def counts(metrics: Metrics) -> dict[str, dict[str, int]]:
    """The numerator and denominator behind each share."""
    return {name: {"hits": rate.hits, "total": rate.total} for name, rate in _rates(metrics).items()}


def _group(group: Group) -> dict[str, Json]:
    return {
        "name": group.name,
        "dialogues": group.dialogues,
        "passed": group.passed,
        "skipped": group.skipped,
        "success": group.success,
        "routing_accuracy": group.routing.value,
        "slot_accuracy": group.slots.value,
    }


def dialogue_json(result: DialogueResult) -> dict[str, Json]:
    """One dialogue's results as JSON data."""
    dialogue = result.dialogue
    return {
        "id": dialogue.id,
        "suite": dialogue.suite,
        "source": dialogue.source,
        "title": dialogue.title,
        "tags": list(dialogue.tags),
        "language": dialogue.language,
        "repeat_policy": dialogue.repeat_policy,
        "status": result.status,
        "skip_reason": result.skip_reason,
        "successes": result.successes,
        "trials_run": len(result.trials),
        "first_failure": result.first_failure(),
        "trials": [plain(trial) for trial in result.trials],
    }


def run_json(run: RunResult) -> dict[str, Json]:
    """The whole run as JSON data."""
    metrics = run.metrics
    return {
        "format": FORMAT,
        "metadata": plain(run.metadata),
        "metrics": dict(summary(metrics)),
        "counts": plain(counts(metrics)),
        "llm_usage": dict(run.llm_usage),
        "by_language": [_group(g) for g in metrics.by_language],
        "by_tag": [_group(g) for g in metrics.by_tag],
        "by_suite": [_group(g) for g in metrics.by_suite],
        "dialogues": [dialogue_json(result) for result in run.results],
    }


def write_json(run: RunResult, path: Path) -> None:
    """Write the results file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(run_json(run), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
