"""JUnit XML (``--junit``): one ``testsuite`` per suite, one ``testcase`` per dialogue.

A failed dialogue has a ``failure`` whose message is its first failing expectation and
whose text is the transcript of the failing trial; a skipped one has ``skipped``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from evals.dialogues.results import DialogueResult, Trial
from evals.dialogues.run import RunResult


def transcript(trial: Trial) -> str:
    """A trial as plain text: each step, its replies, and its failed checks."""
    lines: list[str] = []
    for step in trial.steps:
        prefix = {"say": "customer", "simulated": "customer", "staff": "staff", "event": "event"}.get(
            step.kind, step.kind
        )
        lines.append(f"[{step.index}] {prefix}: {step.input}")
        for reply in step.replies:
            buttons = f"  [{' | '.join(reply.buttons)}]" if reply.buttons else ""
            lines.append(f"    {reply.agent or reply.author}: {reply.text}{buttons}")
        if step.error is not None:
            lines.append(f"    ERROR {step.error}")
        lines.extend(f"    FAILED {check.describe()}" for check in step.checks if not check.passed)
    lines.extend(f"FAILED {check.describe()}" for check in trial.final if not check.passed)
    if trial.error is not None:
        lines.append(f"ERROR {trial.error}")
    return "\n".join(lines)


def _case(result: DialogueResult) -> ET.Element:
    dialogue = result.dialogue
    seconds = sum(trial.seconds for trial in result.trials)
    case = ET.Element(
        "testcase",
        {"classname": dialogue.suite, "name": dialogue.id, "time": f"{seconds:.3f}", "file": dialogue.source},
    )
    if result.status == "skipped":
        ET.SubElement(case, "skipped", {"message": result.skip_reason or "skipped"})
    elif result.status == "failed":
        failing = next(trial for trial in result.trials if not trial.passed)
        message = failing.first_failure() or "failed"
        counts = f"{result.successes}/{len(result.trials)} trials passed ({dialogue.repeat_policy} must)"
        failure = ET.SubElement(case, "failure", {"message": message, "type": "expectation"})
        failure.text = f"{counts}\n{transcript(failing)}"
    return case


def junit_xml(run: RunResult) -> ET.ElementTree[ET.Element]:
    """The run as a JUnit XML tree."""
    suites: dict[str, list[DialogueResult]] = defaultdict(list)
    for result in run.results:
        suites[result.dialogue.suite].append(result)
    root = ET.Element(
        "testsuites",
        {
            "name": "frontdesk eval",
            "tests": str(len(run.results)),
            "failures": str(sum(1 for r in run.results if r.status == "failed")),
            "skipped": str(sum(1 for r in run.results if r.status == "skipped")),
            "time": f"{run.metadata.seconds:.3f}",
        },
    )
    for name in sorted(suites):
        results = suites[name]
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": name,
                "tests": str(len(results)),
                "failures": str(sum(1 for r in results if r.status == "failed")),
                "errors": "0",
                "skipped": str(sum(1 for r in results if r.status == "skipped")),
                "time": f"{sum(t.seconds for r in results for t in r.trials):.3f}",
            },
        )
        suite.extend(_case(result) for result in results)
    return ET.ElementTree(root)


def write_junit(run: RunResult, path: Path) -> None:
    """Write the JUnit XML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = junit_xml(run)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
