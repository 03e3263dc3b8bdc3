"""The JSON results, JUnit XML and HTML report are written and well-formed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from evals.dialogues.html_report import write_html
from evals.dialogues.junit import write_junit
from evals.dialogues.outputs import FORMAT, write_json
from evals.dialogues.run import RunResult


def test_json_holds_metadata_metrics_breakdowns_and_every_step(passing: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "out" / "results.json"
    write_json(passing, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    assert data["metadata"]["repeat"] == 1 and data["metadata"]["understanding"] == "offline"
    assert "git_commit" in data["metadata"]
    assert data["metrics"]["task_success"] == 1.0 and data["metrics"]["pass^1"] == 1.0
    assert data["counts"]["routing_accuracy"]["total"] > 0
    assert {g["name"] for g in data["by_language"]} == {"en", "ru"}
    booking = next(d for d in data["dialogues"] if d["id"] == "booking-tomorrow-ru")
    [trial] = booking["trials"]
    last = trial["steps"][-1]
    book = next(call for call in last["calls"] if call["name"] == "calendar.book")
    assert book["args"]["service_id"] == "manicure" and "key" not in book["args"]
    assert all(check["passed"] for check in last["checks"])
    assert "final.records.bookings" in [check["path"] for check in trial["final"]]


def test_junit_has_a_testcase_per_dialogue_with_failures_and_skips(
    failing: RunResult, tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    write_junit(failing, path)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "2"
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"booking-all-wrong", "approve-nothing", "simulated-manicure-ru"}
    failure = cases["booking-all-wrong"].find("failure")
    assert failure is not None and failure.get("message", "").startswith("steps[0].expect.agent (line 10)")
    assert failure.text is not None and "customer: Можно на завтра на маникюр?" in failure.text
    assert cases["simulated-manicure-ru"].find("skipped") is not None
    assert {suite.get("name") for suite in root.iter("testsuite")} == {
        "wrong_expectations",
        "no_approval",
        "simulated_booking",
    }


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.sources += [value or "" for name, value in attrs if name in {"src", "href"}]


def test_the_html_report_is_self_contained_with_charts_and_failed_transcripts(
    failing: RunResult, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    write_html(failing, path)
    page = path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "svg" in parser.tags
    assert all(source.startswith("#") for source in parser.sources), parser.sources
    assert "Success per language" in page and "Turn latency" in page
    assert "Можно на завтра на маникюр?" in page, "the failed dialogue's transcript is shown"
    assert 'class="check fail first"' in page and "steps[0].expect.agent" in page
    assert "no pending approval" in page


def test_a_report_of_a_passing_run_says_there_are_no_failures(passing: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html(passing, path)
    page = path.read_text(encoding="utf-8")
    assert "Failed dialogues (0)" in page and "Success per tag" in page
