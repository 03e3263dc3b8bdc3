"""A simulated customer played by an LLM (the local fake OpenAI server), and ``--llm`` understanding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from server.settings import Settings
from tests.evals.conftest import FIXTURES, offline_settings, run
from tests.fakes.openai_server import FakeOpenAI, error_reply, text_reply
from tools.errors import ConfigError

CUSTOMER = ["Можно на завтра на маникюр?", "1", "Анна", "+7 916 123-45-67", "да", "Спасибо! [DONE]"]
HANDOFF = FIXTURES / "passing" / "handoff.yaml"


def _with_llm(data_dir: Path, server: FakeOpenAI) -> Settings:
    return offline_settings(
        data_dir, openai_api_key=SecretStr("sk-test"), openai_base_url=server.url, openai_model="fake-model"
    )


def test_a_simulated_customer_books_and_the_dialogue_is_graded_on_its_final_state(data_dir: Path) -> None:
    with FakeOpenAI(api_key="sk-test") as server:
        for text in CUSTOMER:
            server.reply_text(text)
        result = run([FIXTURES / "simulated"], _with_llm(data_dir, server))
        requests = server.completion_requests
    [dialogue] = result.results
    assert dialogue.status == "passed", dialogue.first_failure()
    [trial] = dialogue.trials
    assert [step.input for step in trial.steps] == [*CUSTOMER[:-1], "Спасибо!"]
    assert all(step.kind == "simulated" for step in trial.steps)
    assert [check.path for check in trial.checks] == ["final.records.bookings", "final.tools[0]"]
    assert trial.simulator_tokens == 60 * len(CUSTOMER) == result.metrics.simulator_tokens
    assert len(requests) == len(CUSTOMER)
    prompt = requests[0].system_prompt
    assert "Записаться на маникюр" in prompt and "[DONE]" in prompt and "Russian" in prompt
    assert "Маникюр" in requests[1].text_of("user"), "the business's reply is shown to the simulator"


def test_the_simulator_stops_after_max_turns_and_the_final_state_decides(data_dir: Path) -> None:
    with FakeOpenAI(api_key="sk-test", default=text_reply("привет")) as server:
        result = run([FIXTURES / "simulated"], _with_llm(data_dir, server))
    [dialogue] = result.results
    assert len(dialogue.trials[0].steps) == 8 and dialogue.status == "failed"
    assert (dialogue.first_failure() or "").startswith("final.records.bookings")


def test_llm_understanding_needs_a_key_and_its_calls_are_counted_per_turn(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="--llm needs an LLM: set OPENAI_API_KEY"):
        run([HANDOFF], offline_settings(data_dir), llm=True)
    with FakeOpenAI(api_key="sk-test", default=error_reply(400)) as server:
        result = run([HANDOFF], _with_llm(data_dir, server), llm=True)
    assert result.metadata.understanding == "llm:fake-model"
    assert result.metrics.task_success == 1.0, "every turn falls back to the offline understanding"
    assert 0 < result.metrics.llm_calls_per_turn <= 1
    assert result.llm_usage["calls"] == result.llm_usage["failures"] > 0
