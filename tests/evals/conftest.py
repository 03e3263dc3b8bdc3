"""Shared helpers of the eval engine's tests: fixture suites, settings without an LLM, one-call runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evals.dialogues.loading import load_suites
from evals.dialogues.run import RunOptions, RunResult, run_dialogues
from server.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def data_dir(shared_data_dir: Path) -> Path:
    """A data directory shared by the session, so each playbook's classifier and knowledge base are built once."""
    return shared_data_dir


def offline_settings(data_dir: Path, **changes: object) -> Settings:
    """Settings with no LLM configured, whatever the environment says."""
    update: dict[str, object] = {"openai_api_key": None, "openai_base_url": None, **changes}
    return Settings(data_dir=data_dir).model_copy(update=update)


def run(paths: list[Path], settings: Settings, **options: object) -> RunResult:
    """Load and run suites synchronously."""
    loaded = load_suites(paths)
    return asyncio.run(run_dialogues(loaded, settings, RunOptions(**options)))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def passing(data_dir: Path) -> RunResult:
    """The passing fixture suites, run once."""
    return run([FIXTURES / "passing"], offline_settings(data_dir))


@pytest.fixture(scope="session")
def failing(data_dir: Path) -> RunResult:
    """The failing fixture suites (and a simulated one, skipped without an LLM), run once."""
    return run([FIXTURES / "failing", FIXTURES / "simulated"], offline_settings(data_dir))
