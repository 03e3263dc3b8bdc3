"""The knowledge base behind the agents' port: offline answers, and LLM answers written only from passages."""

from __future__ import annotations

import json

from agents.understanding.llm import create_chat_model
from knowledge.answerers import LlmAnswerer, OfflineAnswerer
from knowledge.base import KnowledgeBase
from tests.fakes.openai_server import FakeOpenAI


def _llm(kb: KnowledgeBase, server: FakeOpenAI) -> LlmAnswerer:
    model = create_chat_model(
        api_key="sk-test", base_url=server.url, model="fake", timeout_s=5, max_retries=0
    )
    return LlmAnswerer(kb, model, OfflineAnswerer(kb), timeout_s=5)


async def test_the_offline_answer_names_its_source(studio_kb: KnowledgeBase) -> None:
    found = await OfflineAnswerer(studio_kb).answer("можно ли вернуть подарочный сертификат?", language="ru")
    assert found is not None and "ru/" in found.document and " › " in found.source
    assert await OfflineAnswerer(studio_kb).answer("what is the capital of peru", language="en") is None


async def test_the_llm_answers_from_the_passages_it_was_given(studio_kb: KnowledgeBase) -> None:
    with FakeOpenAI(api_key="sk-test") as server:
        server.reply_json({"answered": True, "answer": "Within 7 days, unopened.", "source": 1})
        found = await _llm(studio_kb, server).answer("how long do I have to return an item?", language="en")
        sent = json.loads(server.completion_requests[0].text_of("user"))
    assert found is not None and found.text == "Within 7 days, unopened."
    assert sent["question"] == "how long do I have to return an item?" and sent["language"] == "en"
    assert found.source == sent["passages"][0]["source"], "the citation is the passage the model used"
    assert "ONLY the passages" in server.completion_requests[0].system_prompt


async def test_a_refusal_of_the_llm_is_no_answer(studio_kb: KnowledgeBase) -> None:
    with FakeOpenAI(api_key="sk-test") as server:
        server.reply_json({"answered": False, "answer": "", "source": 1})
        assert (
            await _llm(studio_kb, server).answer("how long do I have to return an item?", language="en")
            is None
        )


async def test_a_failing_llm_falls_back_to_the_offline_answer(studio_kb: KnowledgeBase) -> None:
    question = "how long do I have to return an item?"
    with FakeOpenAI(api_key="sk-test") as server:
        server.reply_error(500)
        found = await _llm(studio_kb, server).answer(question, language="en")
    offline = await OfflineAnswerer(studio_kb).answer(question, language="en")
    assert found is not None and offline is not None and found.text == offline.text


async def test_below_the_threshold_the_llm_is_not_even_asked(studio_kb: KnowledgeBase) -> None:
    with FakeOpenAI(api_key="sk-test") as server:
        assert await _llm(studio_kb, server).answer("what is the capital of peru", language="en") is None
        assert server.completion_requests == []
