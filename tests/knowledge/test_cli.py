"""`frontdesk kb …` and `frontdesk bench kb` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.bench import write_corpus
from knowledge.embeddings import SentenceTransformerEmbedder
from server.cli import app
from tests.conftest import ROOT
from tests.knowledge.conftest import write

runner = CliRunner()


@pytest.fixture
def salon(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Path:
    """The tiny salon's playbook with a few documents in kb/ (the real model is already loaded)."""
    playbook = tmp_path / "salon/playbook.yaml"
    playbook.parent.mkdir()
    shutil.copy(ROOT / "tests/fixtures/minimal_playbook.yaml", playbook)
    write(
        playbook.parent / "kb/en/cancellation.md",
        "# Cancellation policy\n\n## Late cancellation\n\nYou can cancel free of charge up to 24 hours before "
        "the visit. Later cancellations of colouring lose the deposit.\n\n## Lateness\n\nWe wait up to 15 minutes.\n",
    )
    write(
        playbook.parent / "kb/ru/cancellation.md",
        "# Отмена записи\n\n## Поздняя отмена\n\nОтменить запись бесплатно можно за 24 часа до визита.\n",
    )
    write(playbook.parent / "kb/en/parking.txt", "Parking\n\nTwo free places in the courtyard for clients.\n")
    return playbook


def _kb(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["kb", *args])
    return result.exit_code, result.output


def test_ingest_reports_added_then_unchanged_documents(salon: Path, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    code, output = _kb("ingest", "--playbook", str(salon), "--data-dir", data)
    assert code == 0, output
    assert "kb ingest: tiny-salon" in output
    assert "added: kb/en/cancellation.md" in output and "added: kb/ru/cancellation.md" in output
    assert "4 chunks written, 0 deleted, 4 in the collection" in output
    code, output = _kb("ingest", "--playbook", str(salon), "--data-dir", data)
    assert code == 0 and "0 chunks written, 0 deleted, 4 in the collection" in output


def test_ingest_of_a_missing_path_fails_with_exit_code_2(salon: Path, tmp_path: Path) -> None:
    missing = str(salon.parent / "kb/typo")
    code, output = _kb("ingest", missing, "--playbook", str(salon), "--data-dir", str(tmp_path))
    assert code == 2 and "does not exist" in output


def test_documents_outside_the_playbook_folder_need_a_root(salon: Path, tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "shared/policies/en/refunds.md", "# Refunds\n\nWithin 14 days.\n")
    args = ["--playbook", str(salon), "--data-dir", str(tmp_path / "data")]
    code, output = _kb("ingest", str(elsewhere.parent), *args)
    assert code == 2 and "--root" in output
    code, output = _kb("ingest", str(elsewhere.parent), *args, "--root", str(tmp_path / "shared"))
    assert code == 0 and "added: policies/en/refunds.md" in output


def test_search_prints_ranked_passages_with_sources_and_the_answer(salon: Path, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert _kb("ingest", "--playbook", str(salon), "--data-dir", data)[0] == 0
    code, output = _kb(
        "search", "how late can I cancel for free?", "--playbook", str(salon), "--data-dir", data
    )
    assert code == 0, output
    assert output.startswith("1. score 1.00")
    assert "Cancellation policy › Late cancellation (kb/en/cancellation.md)" in output
    assert "answerable" in output
    assert "answer: You can cancel free of charge up to 24 hours before the visit." in output

    code, output = _kb(
        "search",
        "отменить запись",
        "--lang",
        "ru",
        "--k",
        "1",
        "--json",
        "--playbook",
        str(salon),
        "--data-dir",
        data,
    )
    payload = json.loads(output)
    assert code == 0 and payload["language"] == "ru" and payload["answerable"] is True
    assert [p["document"] for p in payload["passages"]] == ["kb/ru/cancellation.md"]
    assert payload["answer"]["citation"] == "Отмена записи › Поздняя отмена"


def test_search_refuses_an_unknown_language_and_an_empty_knowledge_base(salon: Path, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    code, output = _kb("search", "parking", "--lang", "de", "--playbook", str(salon), "--data-dir", data)
    assert code == 2 and "unknown language 'de'" in output
    code, output = _kb("search", "parking", "--playbook", str(salon), "--data-dir", data)
    assert code == 2 and "run `frontdesk kb ingest` first" in output


def test_eval_prints_recall_per_language_and_fails_below_the_target(salon: Path, tmp_path: Path) -> None:
    questions: list[dict[str, object]] = [
        {"q": "can I cancel the day before?", "lang": "en", "docs": ["kb/en/cancellation.md"]},
        {"q": "where do I park", "lang": "en", "docs": ["kb/en/parking.txt"]},
        {"q": "можно отменить запись?", "lang": "ru", "docs": ["kb/ru/cancellation.md"]},
    ]
    labelled = {
        "business": "tiny-salon",
        "playbook": str(salon),
        "questions": questions,
        "out_of_domain": [{"q": "who won the world cup", "lang": "en"}],
    }
    good = write(tmp_path / "sets/good.yaml", json.dumps(labelled))
    code, output = _kb("eval", "--sets", str(good), "--min-recall3", "0.9")
    assert code == 0, output
    assert "kb eval: tiny-salon" in output
    assert "│ en   │ 2 │ 1.000 │ 1.000 │ 1.000 │" in output
    assert "│ ru   │ 1 │ 1.000 │ 1.000 │ 1.000 │" in output
    assert "1.000 of 1" in output, "the out-of-domain question is rejected"

    questions[1]["docs"] = ["kb/en/missing.md"]
    bad = write(tmp_path / "sets/bad.yaml", json.dumps(labelled))
    code, output = _kb("eval", "--sets", str(bad), "--min-recall3", "0.9", "--misses")
    assert code == 1
    assert "miss where do I park → expected kb/en/missing.md" in output
    assert _kb("eval", "--sets", str(bad))[0] == 0, "no target, no failure"


def test_eval_rejects_a_malformed_set_with_exit_code_2(tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", "business: x\nquestions: nope\n")
    code, output = _kb("eval", "--sets", str(broken))
    assert code == 2 and "not a valid labelled set" in output


def test_bench_kb_reports_rates_and_latency(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["bench", "kb", "--chunks", "20", "--queries", "6", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["chunks"] == 20 and figures["documents"] == 2 and figures["queries"] == 6
    assert figures["chunks_per_second"] > 0 and 0 < figures["p50_ms"] <= figures["p95_ms"]


def test_the_bench_corpus_is_the_same_on_every_run_and_bilingual(tmp_path: Path) -> None:
    assert write_corpus(tmp_path / "a", ROOT / "examples", 30) == 3
    write_corpus(tmp_path / "b", ROOT / "examples", 30)
    first = {p.relative_to(tmp_path / "a"): p.read_text() for p in (tmp_path / "a").rglob("*.md")}
    second = {p.relative_to(tmp_path / "b"): p.read_text() for p in (tmp_path / "b").rglob("*.md")}
    assert first == second
    assert sorted(str(p.parent) for p in first) == ["en", "en", "ru"]
    assert sum(text.count("\n## ") for text in first.values()) == 30
