"""The `frontdesk` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FRONTDESK = [sys.executable, "-m", "server.cli"]


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FRONTDESK, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def test_playbook_check_passes_on_the_demo_businesses_with_a_summary() -> None:
    result = _run("playbook", "check", "examples/studio/playbook.yaml", "examples/renovation/playbook.yaml")
    assert result.returncode == 0, result.stderr
    assert "examples/studio/playbook.yaml: OK" in result.stdout
    assert "examples/renovation/playbook.yaml: OK" in result.stdout
    assert "bookable" in result.stdout


def test_playbook_check_on_a_broken_copy_prints_the_precise_error_and_fails(tmp_path: Path) -> None:
    studio = (ROOT / "examples/studio/playbook.yaml").read_text(encoding="utf-8")
    marker = "duration_minutes: "
    position = studio.index(marker)
    end = studio.index("\n", position)
    broken = studio[:position] + 'duration_minutes: "1h"' + studio[end:]
    line = broken[:position].count("\n") + 1
    copy = tmp_path / "examples/studio/playbook.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_text(broken, encoding="utf-8")
    result = _run("playbook", "check", "examples/studio/playbook.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("examples/studio/playbook.yaml: services[")
    assert lines[0].endswith(f'.duration_minutes: must be a positive whole number, got "1h" (line {line})')


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["playbook"],
        ["playbook", "check"],
        ["playbook", "schema"],
        ["db"],
        ["db", "upgrade"],
        ["db", "current"],
        ["serve"],
        ["chat"],
        ["nlu"],
        ["approvals"],
        ["approvals", "list"],
        ["approvals", "edit"],
        ["bench"],
        ["bench", "turns"],
        ["bench", "timers"],
        ["conversations"],
        ["conversations", "handback"],
        ["staff"],
        ["staff", "add"],
        ["tokens"],
        ["tokens", "add"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    from typer.testing import CliRunner

    from server.cli import app

    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output.splitlines()) > 5


def test_db_upgrade_creates_the_embedded_database(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "FRONTDESK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    upgraded = _run("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data/frontdesk.sqlite3").exists()
    current = _run("db", "current", env=env)
    assert "up to date" in current.stdout
