"""`frontdesk eval …` end to end, as a user runs it: exit codes 0 / 1 / 2, outputs, schema, compare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli import app
from tests.conftest import ROOT
from tests.evals.conftest import FIXTURES


@pytest.fixture(scope="module")
def env(data_dir: Path) -> dict[str, str]:
    """The environment without an LLM, with the session's data directory (classifier cache)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {**clean, "FRONTDESK_DATA_DIR": str(data_dir)}


def _eval(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "server.cli", "eval", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)


def test_a_passing_folder_exits_0_and_writes_every_output(env: dict[str, str], tmp_path: Path) -> None:
    outputs = [
        f"--json={tmp_path / 'a.json'}",
        f"--junit={tmp_path / 'a.xml'}",
        f"--report={tmp_path / 'a.html'}",
    ]
    result = _eval(env, "run", str(FIXTURES / "passing" / "handoff.yaml"), "--repeat", "2", *outputs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS 2/2 operator-ru" in result.stdout and "PASS 2/2 takeover-and-back-ru" in result.stdout
    assert "task_success" in result.stdout and "pass^2" in result.stdout and "per language" in result.stdout
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["metrics"]["pass^2"] == 1.0 and len(data["dialogues"][0]["trials"]) == 2
    assert ET.parse(tmp_path / "a.xml").getroot().get("failures") == "0"
    assert "<svg" in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_a_failing_dialogue_exits_1_with_the_first_failing_expectation(
    env: dict[str, str], tmp_path: Path
) -> None:
    suites = str(FIXTURES / "failing")
    result = _eval(env, "run", suites, "--id", "booking-*", f"--json={tmp_path / 'b.json'}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL booking-all-wrong" in result.stdout
    assert "steps[0].expect.agent (line 10)" in result.stdout
    assert 'expected: "sales"' in result.stdout and 'got:      "booking"' in result.stdout
    assert "approve-nothing" not in result.stdout, "--id selects dialogues"


def test_a_malformed_suite_exits_2_with_one_precise_line_per_problem(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nstart: 2027-03-01T12:00:00\nsteps:\n  - say: hi\n    expect: {buttons: {count: three}}\n",
        encoding="utf-8",
    )
    result = _eval(env, "run", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f'{bad}: steps[0].expect.buttons.count: must be a whole number, got "three" (line 5)'
    )


def test_filters_that_match_nothing_exit_2() -> None:
    result = CliRunner().invoke(app, ["eval", "run", str(FIXTURES / "failing"), "--tag", "nothing-has-this"])
    assert result.exit_code == 2 and "no dialogue matches" in result.output


def test_schema_and_compare(tmp_path: Path) -> None:
    runner = CliRunner()
    schema = runner.invoke(app, ["eval", "schema", "-o", str(tmp_path / "schema.json")])
    assert schema.exit_code == 0, schema.output
    document = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    assert document["title"] == "Frontdesk eval suite"
    assert document == json.loads((ROOT / "docs/evals.schema.json").read_text(encoding="utf-8"))
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    for path, status in ((before, "passed"), (after, "failed")):
        path.write_text(
            json.dumps(
                {
                    "format": "frontdesk-eval/1",
                    "metrics": {"task_success": 1.0 if status == "passed" else 0.0},
                    "dialogues": [{"id": "x", "status": status}],
                }
            ),
            encoding="utf-8",
        )
    worse = runner.invoke(app, ["eval", "compare", str(before), str(after)])
    assert worse.exit_code == 1 and "regressed (passed → failed): x" in worse.output
    better = runner.invoke(app, ["eval", "compare", str(after), str(before), "--json"])
    assert better.exit_code == 0 and json.loads(better.output)["improved"] == ["x"]
