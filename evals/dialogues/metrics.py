"""Run metrics: task success, pass^k, routing and slot accuracy, tool calls, escalations, latency, LLM use.

Definitions (also in ``docs/evals.md``); skipped dialogues count nowhere:

- task success: dialogues that passed (by their repeat policy) / dialogues run;
- pass^k (τ-bench): for a dialogue with c passing trials out of n, pass^k = C(c, k) / C(n, k),
  averaged over dialogues, for k = 1..n;
- routing accuracy: passed ``agent`` checks / ``agent`` checks, over every trial;
- slot accuracy: passed ``slots.*`` and ``entities.*`` checks / those checks (one per expected value);
- tool precision: expected calls found / calls made, and tool recall: expected calls found / expected
  calls, summed over the steps (and ``final`` blocks) that have a ``tools`` expectation; calls made
  leave out the runner's bookkeeping writes, and each made call matches at most one expected call;
- escalation precision and recall: over ``approval`` and ``handoff`` checks, a positive is an
  approval raised (or staff owning the conversation): TP / (TP + FP) and TP / (TP + FN);
- turn latency p50 / p95: nearest-rank percentiles of the customer turns' wall time;
- LLM calls and tokens per turn: understanding calls answered by the LLM adapter (or its fallback)
  and their tokens, per customer turn.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from evals.dialogues.results import Check, DialogueResult, ToolStats


@dataclass(frozen=True)
class Rate:
    """A share: `hits` out of `total` (no value without data)."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        """hits / total, or None when there is nothing to count."""
        return self.hits / self.total if self.total else None


@dataclass(frozen=True)
class Group:
    """The figures of one language, tag or suite."""

    name: str
    dialogues: int
    passed: int
    skipped: int
    success: float | None
    routing: Rate
    slots: Rate


@dataclass(frozen=True)
class Metrics:
    """Every figure of a run."""

    dialogues: int
    """Dialogues run (not skipped)."""
    passed: int
    failed: int
    skipped: int
    task_success: float | None
    pass_hat: Mapping[int, float]
    """pass^k for k = 1..repeat."""
    routing: Rate
    slots: Rate
    tool_precision: Rate
    tool_recall: Rate
    escalation_precision: Rate
    escalation_recall: Rate
    turns: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    llm_calls_per_turn: float
    llm_tokens_per_turn: float
    simulator_tokens: int
    by_language: tuple[Group, ...]
    by_tag: tuple[Group, ...]
    by_suite: tuple[Group, ...]


def pass_hat(successes: int, trials: int, k: int) -> float:
    """τ-bench's pass^k of one task: the chance that k trials drawn from n all pass, C(c, k) / C(n, k)."""
    if k < 1 or k > trials:
        raise ValueError(f"k must be between 1 and the number of trials ({trials}), got {k}")
    return math.comb(successes, k) / math.comb(trials, k)


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` in 0..1) of `values`, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _rate(checks: Iterable[Check], kinds: Callable[[Check], bool]) -> Rate:
    chosen = [check for check in checks if kinds(check)]
    return Rate(sum(1 for check in chosen if check.passed), len(chosen))


def _checks(results: Iterable[DialogueResult]) -> list[Check]:
    return [check for result in results for trial in result.trials for check in trial.checks]


def _is_slot(check: Check) -> bool:
    return check.kind in {"slots", "entities"}


def _group(name: str, results: list[DialogueResult]) -> Group:
    ran = [r for r in results if r.status != "skipped"]
    passed = sum(1 for r in ran if r.status == "passed")
    checks = _checks(ran)
    return Group(
        name=name,
        dialogues=len(ran),
        passed=passed,
        skipped=len(results) - len(ran),
        success=passed / len(ran) if ran else None,
        routing=_rate(checks, lambda c: c.kind == "agent"),
        slots=_rate(checks, _is_slot),
    )


def _groups(
    results: list[DialogueResult], keys: Callable[[DialogueResult], Iterable[str]]
) -> tuple[Group, ...]:
    grouped: dict[str, list[DialogueResult]] = defaultdict(list)
    for result in results:
        for key in keys(result):
            grouped[key].append(result)
    return tuple(_group(name, grouped[name]) for name in sorted(grouped))


def _escalations(checks: list[Check]) -> tuple[Rate, Rate]:
    labelled = [c for c in checks if c.truth is not None and c.observed is not None]
    true_positive = sum(1 for c in labelled if c.truth and c.observed)
    false_positive = sum(1 for c in labelled if not c.truth and c.observed)
    false_negative = sum(1 for c in labelled if c.truth and not c.observed)
    return (
        Rate(true_positive, true_positive + false_positive),
        Rate(true_positive, true_positive + false_negative),
    )


def compute(results: list[DialogueResult], repeat: int) -> Metrics:
    """All metrics of a run of `repeat` trials per dialogue."""
    ran = [r for r in results if r.status != "skipped"]
    checks = _checks(ran)
    stats: list[ToolStats] = [
        s
        for r in ran
        for trial in r.trials
        for s in [*(step.tools for step in trial.steps), trial.final_tools]
        if s is not None
    ]
    found = sum(s.found for s in stats)
    precision, recall = _escalations(checks)
    turns = [step for r in ran for trial in r.trials for step in trial.steps if step.is_turn]
    latencies = [step.latency_ms for step in turns]
    passed = sum(1 for r in ran if r.status == "passed")
    hats = {
        k: sum(pass_hat(r.successes, len(r.trials), k) for r in ran) / len(ran)
        for k in range(1, repeat + 1)
        if ran and all(len(r.trials) >= k for r in ran)
    }
    return Metrics(
        dialogues=len(ran),
        passed=passed,
        failed=len(ran) - passed,
        skipped=len(results) - len(ran),
        task_success=passed / len(ran) if ran else None,
        pass_hat=hats,
        routing=_rate(checks, lambda c: c.kind == "agent"),
        slots=_rate(checks, _is_slot),
        tool_precision=Rate(found, sum(s.made for s in stats)),
        tool_recall=Rate(found, sum(s.expected for s in stats)),
        escalation_precision=precision,
        escalation_recall=recall,
        turns=len(turns),
        latency_p50_ms=percentile(latencies, 0.50),
        latency_p95_ms=percentile(latencies, 0.95),
        llm_calls_per_turn=sum(s.llm_calls for s in turns) / len(turns) if turns else 0.0,
        llm_tokens_per_turn=sum(s.llm_tokens for s in turns) / len(turns) if turns else 0.0,
        simulator_tokens=sum(t.simulator_tokens for r in ran for t in r.trials),
        by_language=_groups(results, lambda r: [r.dialogue.language]),
        by_tag=_groups(results, lambda r: r.dialogue.tags or ("(untagged)",)),
        by_suite=_groups(results, lambda r: [r.dialogue.suite]),
    )
