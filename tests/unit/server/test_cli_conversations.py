"""`frontdesk chat`, `frontdesk nlu` and `frontdesk approvals` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agents.understanding.adapter import OfflineUnderstanding
from knowledge.answerers import open_answerer
from knowledge.business import KnowledgeSource
from tests.conftest import ROOT
from tools.playbook import load_playbook

FRONTDESK = [sys.executable, "-m", "server.cli"]
STUDIO = ROOT / "examples/studio/playbook.yaml"


@pytest.fixture(autouse=True)
def _studio_built_before(tmp_path: Path, shared_data_dir: Path) -> None:
    """The data directory as an earlier run of the studio left it: its knowledge base and classifier built.

    Both are built once per session (the knowledge base where the dialogue tests and evals keep it)
    and copied in, so the commands here do not embed the documents or train again; building them
    from nothing is what the knowledge base and classifier cache tests cover.
    """
    folder = shared_data_dir / "cache" / "eval-knowledge"
    open_answerer(KnowledgeSource.from_playbook(STUDIO), data_dir=folder)  # built once, then up to date
    shutil.copytree(folder / "kb", tmp_path / "kb")
    OfflineUnderstanding(load_playbook(STUDIO), cache_dir=tmp_path / "cache")


def _run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FRONTDESK_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [*FRONTDESK, *args], cwd=ROOT, capture_output=True, text=True, timeout=180, env=env, input=stdin
    )


def test_a_scripted_chat_books_and_shows_the_agent_and_what_it_did(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("Можно на завтра на маникюр?\n1\nАнна\n+7 916 123-45-67\nда\n", encoding="utf-8")
    result = _run("chat", "--script", str(script), "--channel", "telegram", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "booking bot>" in result.stdout
    assert re.search(r"· booking bk_\w+ created \(confirmed\)", result.stdout), result.stdout
    ready = re.search(r"ready in ([\d.]+) s", result.stdout)
    assert ready is not None


def test_nlu_prints_one_json_line_per_utterance(tmp_path: Path) -> None:
    lines = "Сколько стоит окрашивание?\nI want to book a massage tomorrow at 3pm\nоператор\n"
    result = _run(
        "nlu", "--playbook", "examples/studio/playbook.yaml", "--json", data_dir=tmp_path, stdin=lines
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["agent"] for r in records] == ["sales", "booking", "human"]
    assert {"text", "agent", "intent", "confidence", "language", "entities"} <= set(records[0])
    assert records[0]["language"] == "ru" and records[1]["language"] == "en"
    assert records[1]["entities"]["catalog"][0]["id"].startswith("massage")


def test_staff_decide_an_escalation_from_the_command_line(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        "Это безобразие!!! Верните деньги немедленно, буду жаловаться в суд!\n", encoding="utf-8"
    )
    assert _run("chat", "--script", str(script), data_dir=tmp_path).returncode == 0
    listed = _run("approvals", "list", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    match = re.search(r"(ap_\w+)", listed.stdout)
    assert match is not None and "escalation" in listed.stdout, listed.stdout
    decided = _run(
        "approvals", "reject", match.group(1), "Менеджер уже связался с вами по телефону", data_dir=tmp_path
    )
    assert decided.returncode == 0, decided.stderr
    assert "Менеджер уже связался" in decided.stdout
    assert "escalation" not in _run("approvals", "list", data_dir=tmp_path).stdout
