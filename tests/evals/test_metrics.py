"""Metric definitions: pass^k, shares, tool and escalation precision / recall, percentiles, groups."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from evals.dialogues.metrics import compute, pass_hat, percentile
from evals.dialogues.model import Dialogue
from evals.dialogues.results import Check, DialogueResult, StepResult, ToolStats, Trial, verdict
from evals.dialogues.run import RunResult


def _dialogue(
    name: str, *, language: str = "ru", tags: tuple[str, ...] = (), policy: str = "all"
) -> Dialogue:
    return Dialogue(
        id=name,
        suite="s",
        source="s.yaml",
        prefix="",
        playbook=Path("p.yaml"),
        start=datetime(2027, 3, 1, 12),
        language=language,
        tags=tags,
        repeat_policy=policy,  # type: ignore[arg-type]
    )


def _check(kind: str, passed: bool, truth: bool | None = None, observed: bool | None = None) -> Check:
    return Check("steps[0].expect." + kind, kind, passed, "x", "y", None, truth, observed)


def _trial(passed: bool, *checks: Check, tools: ToolStats | None = None, latency: float = 10.0) -> Trial:
    step = StepResult(
        0, "say", "hi", checks=checks, tools=tools, latency_ms=latency, llm_calls=1, llm_tokens=30
    )
    return Trial(passed, (step,))


def test_pass_hat_k_is_the_share_of_k_draws_that_all_pass() -> None:
    assert pass_hat(3, 3, 3) == 1.0
    assert pass_hat(2, 3, 1) == pytest.approx(2 / 3)
    assert pass_hat(2, 3, 2) == pytest.approx(1 / 3)
    assert pass_hat(2, 3, 3) == 0.0
    assert pass_hat(0, 4, 1) == 0.0
    with pytest.raises(ValueError):
        pass_hat(1, 2, 3)


def test_pass_hat_is_averaged_over_dialogues_for_every_k() -> None:
    always = verdict(_dialogue("a"), (_trial(True), _trial(True), _trial(True)))
    flaky = verdict(_dialogue("b", policy="majority"), (_trial(True), _trial(True), _trial(False)))
    never = verdict(_dialogue("c"), (_trial(False), _trial(False), _trial(False)))
    assert (always.status, flaky.status, never.status) == ("passed", "passed", "failed")
    metrics = compute([always, flaky, never], 3)
    assert metrics.pass_hat[1] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert metrics.pass_hat[2] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert metrics.pass_hat[3] == pytest.approx(1 / 3)
    assert metrics.task_success == pytest.approx(2 / 3)


def test_the_repeat_policy_all_needs_every_trial_and_majority_more_than_half() -> None:
    two_of_four = (_trial(True), _trial(True), _trial(False), _trial(False))
    assert verdict(_dialogue("a", policy="majority"), two_of_four).status == "failed"
    assert (
        verdict(_dialogue("a", policy="majority"), (_trial(True), _trial(False), _trial(True))).status
        == "passed"
    )
    assert verdict(_dialogue("a"), (_trial(True), _trial(False), _trial(True))).status == "failed"


def test_shares_precision_recall_and_latency_have_their_definitions() -> None:
    first = verdict(
        _dialogue("a", language="ru", tags=("booking",)),
        (
            _trial(
                True,
                _check("agent", True),
                _check("slots", True),
                _check("entities", False),
                _check("approval", True, truth=True, observed=True),
                _check("handoff", False, truth=False, observed=True),
                tools=ToolStats(expected=2, found=1, made=4),
                latency=10.0,
            ),
        ),
    )
    second = verdict(
        _dialogue("b", language="en", tags=("booking", "sales")),
        (
            _trial(
                False,
                _check("agent", False),
                _check("approval", False, truth=True, observed=False),
                tools=ToolStats(expected=1, found=1, made=1),
                latency=30.0,
            ),
        ),
    )
    skipped = DialogueResult(_dialogue("c", language="en"), "skipped", skip_reason="no LLM")
    metrics = compute([first, second, skipped], 1)
    assert (metrics.dialogues, metrics.passed, metrics.failed, metrics.skipped) == (2, 1, 1, 1)
    assert (metrics.routing.hits, metrics.routing.total) == (1, 2)
    assert (metrics.slots.hits, metrics.slots.total) == (1, 2)
    assert (metrics.tool_precision.hits, metrics.tool_precision.total) == (2, 5)
    assert (metrics.tool_recall.hits, metrics.tool_recall.total) == (2, 3)
    assert (metrics.escalation_precision.hits, metrics.escalation_precision.total) == (1, 2)
    assert (metrics.escalation_recall.hits, metrics.escalation_recall.total) == (1, 2)
    assert (metrics.latency_p50_ms, metrics.latency_p95_ms, metrics.turns) == (10.0, 30.0, 2)
    assert (metrics.llm_calls_per_turn, metrics.llm_tokens_per_turn) == (1.0, 30.0)
    languages = {g.name: (g.dialogues, g.passed, g.skipped, g.success) for g in metrics.by_language}
    assert languages == {"en": (1, 0, 1, 0.0), "ru": (1, 1, 0, 1.0)}
    tags = {g.name: (g.dialogues, g.success) for g in metrics.by_tag}
    assert tags == {"booking": (2, 0.5), "sales": (1, 0.0), "(untagged)": (0, None)}


def test_percentiles_are_nearest_rank_and_empty_data_has_no_value() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.95) == 95.0
    assert percentile([], 0.5) is None
    assert compute([], 1).task_success is None and compute([], 1).routing.value is None


def test_a_real_run_reports_its_figures(passing: RunResult) -> None:
    metrics = passing.metrics
    assert metrics.task_success == 1.0 and metrics.pass_hat == {1: 1.0}
    assert metrics.routing.value == 1.0 and metrics.slots.value == 1.0 and metrics.tool_recall.value == 1.0
    assert metrics.tool_precision.value is not None and 0 < metrics.tool_precision.value <= 1
    assert metrics.escalation_precision.value == 1.0 and metrics.escalation_recall.value == 1.0
    assert metrics.turns > 20 and metrics.latency_p50_ms is not None and metrics.latency_p50_ms > 0
    assert metrics.llm_calls_per_turn == 0.0
    assert {g.name for g in metrics.by_language} == {"en", "ru"}
    assert passing.metadata.understanding == "offline" and passing.metadata.repeat == 1
