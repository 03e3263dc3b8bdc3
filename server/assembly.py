"""Builds a running Frontdesk from settings: stores, playbook, understanding, graph and runner.

The server, the terminal chat, the approvals command, evals and benchmarks all
start here, so they run the same path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from agents.context import RunDeps
from agents.knowledge import KnowledgeAnswerer
from agents.replies import Replies
from agents.understanding import Understander
from graph import ConversationRunner, create_graph, open_checkpointer
from server.indexed_timers import index_timers
from server.settings import Settings
from server.timer_index import RedisTimerIndex
from server.turn_queue_redis import connect
from tools.appointments import Appointments
from tools.clock import Clock, SystemClock
from tools.payments import BuiltinPaymentProvider
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores, open_stores

log = logging.getLogger("frontdesk.server")


@dataclass(frozen=True)
class Frontdesk:
    """One business's running parts."""

    playbook: Playbook
    stores: BusinessStores
    runner: ConversationRunner
    deps: RunDeps
    timer_index: RedisTimerIndex | None = None
    """With ``REDIS_URL``: the Redis index of due timers the timer worker reads (``stores.timers`` keeps it)."""


def create_understanding(settings: Settings, playbook: Playbook) -> Understander:
    """The offline understanding, behind the LLM one when an API key is configured."""
    from agents.understanding.adapter import OfflineUnderstanding

    offline = OfflineUnderstanding(playbook, cache_dir=settings.data_dir / "cache")
    if settings.openai_api_key is None:
        return offline
    from agents.understanding.llm import LlmUnderstanding, create_chat_model

    model = create_chat_model(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_s=settings.llm_timeout_s,
        max_retries=1,
    )
    return LlmUnderstanding(
        model=model, playbook=playbook, fallback=offline, timeout_s=settings.llm_timeout_s
    )


async def open_knowledge(settings: Settings, playbook: Playbook) -> KnowledgeAnswerer | None:
    """The playbook's knowledge base, up to date with its documents; None (logged) when it can't be opened.

    Answers are offline (the best passage, trimmed), or written by the LLM from the passages when an
    API key is configured.
    """
    from knowledge.answerers import open_answerer
    from knowledge.business import KnowledgeSource
    from knowledge.model import KnowledgeError

    model = None
    if settings.openai_api_key is not None:
        from agents.understanding.llm import create_chat_model

        model = create_chat_model(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            timeout_s=settings.llm_timeout_s,
            max_retries=1,
        )
    source = KnowledgeSource.of(playbook, settings.playbook)
    try:
        return await asyncio.to_thread(
            open_answerer,
            source,
            data_dir=settings.data_dir,
            chroma_url=settings.chroma_url,
            model=model,
            timeout_s=settings.llm_timeout_s,
        )
    except KnowledgeError as error:
        log.error("the knowledge base is not available: %s", error)
        return None


@asynccontextmanager
async def open_frontdesk(
    settings: Settings,
    *,
    clock: Clock | None = None,
    understanding: Understander | None = None,
    knowledge: KnowledgeAnswerer | Literal["open", "none"] = "open",
) -> AsyncIterator[Frontdesk]:
    """Open everything for the business in `settings`; close it all on exit.

    With `knowledge` ``"open"`` (the default) the knowledge base is brought up to date with the
    playbook's documents first; commands that never answer customers pass ``"none"``, and tests
    may pass an answerer they share.
    """
    clock = clock or SystemClock()
    playbook = load_playbook(settings.playbook)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stores = await open_stores(settings.effective_database_url, clock=clock)
    redis = connect(settings.redis_url) if settings.redis_url else None
    timer_index = None
    if redis is not None:  # timers mirrored into Redis for fast pickup (docs/proactive.md)
        stores, timer_index = index_timers(stores, redis, business_id=playbook.business.id, clock=clock)
    try:
        async with open_checkpointer(
            settings.effective_database_url, sqlite_path=settings.data_dir / "checkpoints.sqlite3"
        ) as checkpointer:
            deps = RunDeps(
                playbook=playbook,
                stores=stores,
                clock=clock,
                understanding=understanding or create_understanding(settings, playbook),
                appointments=Appointments(playbook, stores.calendar, stores.billing, clock, stores.timers),
                payments=BuiltinPaymentProvider(settings.effective_public_url),
                replies=Replies(playbook),
                knowledge=(
                    await open_knowledge(settings, playbook)
                    if knowledge == "open"
                    else None
                    if knowledge == "none"
                    else knowledge
                ),
                console_url=settings.effective_public_url,
            )
            runner = ConversationRunner(create_graph(checkpointer=checkpointer), deps)
            yield Frontdesk(
                playbook=playbook, stores=stores, runner=runner, deps=deps, timer_index=timer_index
            )
    finally:
        await stores.close()
        if redis is not None:
            await redis.aclose()
