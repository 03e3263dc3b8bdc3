"""What running dialogues produced: checks, steps, trials and per-dialogue verdicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from evals.dialogues.model import Dialogue, Json
from evals.dialogues.recording import ToolCall

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Check:
    """One expectation, evaluated."""

    path: str
    """Where it is written inside the dialogue: ``steps[2].expect.buttons.count``, ``final.records.leads``."""
    kind: str
    """``agent``, ``intent``, ``entities``, ``slots``, ``reply_contains``, ``tools``, ``records``…"""
    passed: bool
    expected: str
    got: str
    line: int | None = None
    truth: bool | None = None
    """For ``approval`` and ``handoff``: what was expected."""
    observed: bool | None = None
    """For ``approval`` and ``handoff``: what happened."""

    def describe(self) -> str:
        """``steps[2].expect.buttons.count (line 41): expected 3, got 2``."""
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path}{where}: expected {self.expected}, got {self.got}"


@dataclass(frozen=True)
class ToolStats:
    """Tool-call counts of one step (or the final) that has a ``tools`` expectation."""

    expected: int
    """Calls the expectation lists."""
    found: int
    """Expected calls matched one-to-one by a call made (name and argument subset)."""
    made: int
    """Calls made, without the runner's own bookkeeping writes (unless an expected call matched one)."""


@dataclass(frozen=True)
class Reply:
    """A message the customer got."""

    text: str
    agent: str | None = None
    buttons: tuple[str, ...] = ()
    author: str = "bot"


@dataclass(frozen=True)
class StepResult:
    """One step: what was done, what came back, and its checks."""

    index: int
    kind: str
    """``say``, ``staff``, ``event``, ``advance`` or ``simulated`` (a simulated customer's message)."""
    input: str
    replies: tuple[Reply, ...] = ()
    agent: str | None = None
    understood: Mapping[str, Json] | None = None
    """The understanding of the customer's message: intent, confidence, language, source, entities."""
    calls: tuple[ToolCall, ...] = ()
    approval: bool = False
    handoff: bool = False
    latency_ms: float = 0.0
    llm_calls: int = 0
    llm_tokens: int = 0
    checks: tuple[Check, ...] = ()
    tools: ToolStats | None = None
    error: str | None = None

    @property
    def is_turn(self) -> bool:
        """Whether a customer message went through the runner."""
        return self.kind in {"say", "simulated"}


@dataclass(frozen=True)
class Trial:
    """One run of a dialogue."""

    passed: bool
    steps: tuple[StepResult, ...] = ()
    final: tuple[Check, ...] = ()
    final_tools: ToolStats | None = None
    error: str | None = None
    """An exception that stopped the run (the dialogue fails)."""
    seconds: float = 0.0
    simulator_tokens: int = 0

    @property
    def checks(self) -> tuple[Check, ...]:
        """Every check, in order."""
        return tuple(check for step in self.steps for check in step.checks) + self.final

    def first_failure(self) -> str | None:
        """The first thing that went wrong, as one line."""
        if self.error is not None:
            return f"error: {self.error}"
        failed = next((check for check in self.checks if not check.passed), None)
        return failed.describe() if failed is not None else None


@dataclass(frozen=True)
class DialogueResult:
    """A dialogue's verdict over its trials (``--repeat k``), by its repeat policy."""

    dialogue: Dialogue
    status: Status
    trials: tuple[Trial, ...] = ()
    skip_reason: str | None = None

    @property
    def successes(self) -> int:
        """Trials that passed."""
        return sum(1 for trial in self.trials if trial.passed)

    def first_failure(self) -> str | None:
        """The first failure of the first failing trial."""
        for trial in self.trials:
            if not trial.passed:
                return trial.first_failure()
        return None


def verdict(dialogue: Dialogue, trials: tuple[Trial, ...]) -> DialogueResult:
    """Passed when every trial passed (policy ``all``) or more than half did (``majority``)."""
    successes = sum(1 for trial in trials if trial.passed)
    needed = len(trials) // 2 + 1 if dialogue.repeat_policy == "majority" else len(trials)
    passed = successes >= needed
    return DialogueResult(dialogue, "passed" if passed else "failed", trials)


@dataclass(frozen=True)
class RunMetadata:
    """Where and how a run happened."""

    started_at: str
    seconds: float
    repeat: int
    understanding: str
    """``offline`` or ``llm:<model>``."""
    concurrency: int = 1
    """Dialogues run at once (turn latency grows with it)."""
    git_commit: str | None = None
    paths: tuple[str, ...] = ()
    python: str = ""
