"""Builds a running Frontdesk from settings: stores, playbook, understanding, graph and runner.

The server, the terminal chat, the approvals command, evals and benchmarks all
start here, so they run the same path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from agents.context import RunDeps
from agents.replies import Replies
from agents.understanding import Understander
from graph import ConversationRunner, create_graph, open_checkpointer
from server.settings import Settings
from tools.appointments import Appointments
from tools.clock import Clock, SystemClock
from tools.payments import BuiltinPaymentProvider
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores, open_stores


@dataclass(frozen=True)
class Frontdesk:
    """One business's running parts."""

    playbook: Playbook
    stores: BusinessStores
    runner: ConversationRunner
    deps: RunDeps


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


@asynccontextmanager
async def open_frontdesk(
    settings: Settings, *, clock: Clock | None = None, understanding: Understander | None = None
) -> AsyncIterator[Frontdesk]:
    """Open everything for the business in `settings`; close it all on exit."""
    clock = clock or SystemClock()
    playbook = load_playbook(settings.playbook)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stores = await open_stores(settings.effective_database_url, clock=clock)
    try:
        async with open_checkpointer(
            settings.effective_database_url, sqlite_path=settings.data_dir / "checkpoints.sqlite3"
        ) as checkpointer:
            deps = RunDeps(
                playbook=playbook,
                stores=stores,
                clock=clock,
                understanding=understanding or create_understanding(settings, playbook),
                appointments=Appointments(playbook, stores.calendar, stores.billing, clock),
                payments=BuiltinPaymentProvider(settings.effective_public_url),
                replies=Replies(playbook),
                console_url=settings.effective_public_url,
            )
            runner = ConversationRunner(create_graph(checkpointer=checkpointer), deps)
            yield Frontdesk(playbook=playbook, stores=stores, runner=runner, deps=deps)
    finally:
        await stores.close()
