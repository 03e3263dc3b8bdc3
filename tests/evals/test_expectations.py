"""Every kind of expectation holds on a dialogue that meets it and fails on one that does not."""

from __future__ import annotations

from pathlib import Path

from evals.dialogues.run import RunResult
from tests.evals.conftest import FIXTURES, offline_settings, run

STEP_KINDS = {
    "agent",
    "intent",
    "entities",
    "slots",
    "reply_contains",
    "reply_matches",
    "reply_not_contains",
    "buttons",
    "tools",
    "no_tools",
    "records",
    "approval",
    "handoff",
    "language",
    "silent",
    "proactive",
}


def test_the_passing_suites_pass_with_every_check_holding(passing: RunResult) -> None:
    statuses = {r.dialogue.id: r.status for r in passing.results}
    assert statuses == {
        "booking-tomorrow-ru": "passed",
        "small-quote-paid-ru": "passed",
        "big-quote-edited-en": "passed",
        "takeover-and-back-ru": "passed",
        "operator-ru": "passed",
    }, [r.first_failure() for r in passing.results]
    checks = [c for r in passing.results for t in r.trials for c in t.checks]
    assert all(check.passed for check in checks)
    assert {check.kind for check in checks} == STEP_KINDS
    assert not passing.failed


def test_every_wrong_expectation_fails_with_what_was_expected_and_what_happened(failing: RunResult) -> None:
    result = next(r for r in failing.results if r.dialogue.id == "booking-all-wrong")
    assert result.status == "failed"
    [trial] = result.trials
    assert trial.checks and not any(check.passed for check in trial.checks)
    assert {check.kind for check in trial.checks} == STEP_KINDS
    by_path = {check.path: check for check in trial.checks}
    agent = by_path["steps[0].expect.agent"]
    assert (agent.expected, agent.got, agent.line) == ('"sales"', '"booking"', 10)
    assert by_path["steps[0].expect.entities.catalog"].got == '["manicure"]'
    assert by_path["steps[0].expect.buttons.count"].got.count("2 марта") == 3
    assert by_path["steps[0].expect.records.bookings"].got == "0 of 0: []"
    assert by_path["steps[0].expect.no_tools[0]"].got == "1 call(s)"
    assert by_path["final.tools[0]"].got == "calls: none"
    assert {"final.records.leads", "final.no_tools[0]", "final.handoff"} <= set(by_path)
    assert result.first_failure() == 'steps[0].expect.agent (line 10): expected "sales", got "booking"'


def test_a_step_that_cannot_be_carried_out_fails_the_dialogue_with_its_line(failing: RunResult) -> None:
    result = next(r for r in failing.results if r.dialogue.id == "approve-nothing")
    [trial] = result.trials
    assert result.status == "failed" and len(trial.steps) == 2
    assert (
        trial.error
        == "steps[1] (line 8): StepFailed: staff approve: no pending approval in telegram:approve-nothing"
    )
    assert trial.steps[1].error is not None and trial.steps[1].kind == "staff"


def test_a_simulated_dialogue_without_an_llm_is_skipped_not_failed(failing: RunResult) -> None:
    result = next(r for r in failing.results if r.dialogue.id == "simulated-manicure-ru")
    assert result.status == "skipped" and result.trials == ()
    assert result.skip_reason is not None and "OPENAI_API_KEY" in result.skip_reason
    assert failing.metrics.skipped == 1 and failing.metrics.dialogues == 2


def test_steps_record_what_happened(passing: RunResult) -> None:
    booking = next(r for r in passing.results if r.dialogue.id == "booking-tomorrow-ru")
    first, *_, last = booking.trials[0].steps
    assert first.understood is not None and first.understood["intent"] == "booking_new"
    assert first.agent == "booking" and len(first.replies[-1].buttons) == 3
    assert "calendar.book" in [call.name for call in last.calls]
    assert last.tools is not None and (last.tools.expected, last.tools.found) == (2, 2)
    paid = next(r for r in passing.results if r.dialogue.id == "small-quote-paid-ru")
    event = next(step for step in paid.trials[0].steps if step.kind == "event")
    assert event.agent == "billing" and len(event.replies) == 2


def test_fail_fast_stops_at_the_first_failing_dialogue(data_dir: Path) -> None:
    result = run([FIXTURES / "failing"], offline_settings(data_dir), fail_fast=True, concurrency=1)
    assert [r.status for r in result.results] == ["failed"] and result.failed
