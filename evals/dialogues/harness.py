"""A fresh Frontdesk for each dialogue: its own SQLite copy, checkpoints, frozen clock and recorded stores.

It is assembled from the same parts as `server.assembly.open_frontdesk` (stores,
checkpointer, `RunDeps`, graph, `ConversationRunner`); the only differences are that
the database is a copy of a migrated template (fast) and that the stores and the
understanding are wrapped by the recording proxies.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from agents.context import RunDeps
from agents.knowledge import KnowledgeAnswerer
from agents.replies import Replies
from agents.understanding import Understander
from evals.dialogues.recording import CallLog, RecordingKnowledge, RecordingUnderstander, record_stores
from graph import ConversationRunner, Inbound, create_graph, open_checkpointer
from tools.appointments import Appointments
from tools.clock import FrozenClock
from tools.payments import BuiltinPaymentProvider
from tools.playbook import Playbook
from tools.sql import BusinessStores, database_urls, open_stores, upgrade_database

DATABASE = "frontdesk.sqlite3"
CHECKPOINTS = "checkpoints.sqlite3"


@dataclass(frozen=True)
class Desk:
    """One dialogue's running Frontdesk."""

    runner: ConversationRunner
    stores: BusinessStores
    """The stores the agents use (recorded)."""
    raw: BusinessStores
    """The same stores without recording: for setup, outside events and reading state."""
    log: CallLog
    clock: FrozenClock
    playbook: Playbook


@functools.cache
def _blueprint() -> CompiledStateGraph[Any, Any, Any, Any]:
    return create_graph(checkpointer=None)


def conversation_graph(checkpointer: BaseCheckpointSaver[Any]) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The conversation graph on `checkpointer`: compiled once per process, then copied (compiling takes ~20 ms)."""
    return _blueprint().copy({"checkpointer": checkpointer})


def _migrate(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(database_urls(f"sqlite:///{path}"))
    return path


def _copy(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(template, folder / DATABASE))


async def migrated_template(folder: Path) -> Path:
    """Create an empty, migrated SQLite database in `folder` to copy for each dialogue."""
    return await asyncio.to_thread(_migrate, folder / f"template-{DATABASE}")


@asynccontextmanager
async def open_desk(
    folder: Path,
    *,
    template: Path,
    playbook: Playbook,
    understanding: Understander,
    clock: FrozenClock,
    public_url: str = "http://127.0.0.1:8000",
    knowledge: KnowledgeAnswerer | None = None,
) -> AsyncIterator[Desk]:
    """Open a Frontdesk on a copy of `template` in `folder`; close it and delete the folder on exit."""
    database = await asyncio.to_thread(_copy, template, folder)
    url = f"sqlite:///{database}"
    raw = await open_stores(url, clock=clock, migrate=False)
    try:
        async with open_checkpointer(url, sqlite_path=folder / CHECKPOINTS) as checkpointer:
            log = CallLog()
            stores = record_stores(raw, log)
            deps = RunDeps(
                playbook=playbook,
                stores=stores,
                clock=clock,
                understanding=RecordingUnderstander(understanding, log),
                appointments=Appointments(playbook, stores.calendar, stores.billing, clock, stores.timers),
                payments=BuiltinPaymentProvider(public_url),
                replies=Replies(playbook),
                knowledge=RecordingKnowledge(knowledge, log) if knowledge is not None else None,
                console_url=public_url,
            )
            runner = ConversationRunner(conversation_graph(checkpointer), deps)
            yield Desk(runner=runner, stores=stores, raw=raw, log=log, clock=clock, playbook=playbook)
    finally:
        await raw.close()
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def warm_up(folder: Path, *, template: Path, playbook: Playbook, understanding: Understander) -> None:
    """One throwaway turn, so that one-off start-up costs (lazy imports, first model use) are not turn latency."""
    async with open_desk(
        folder, template=template, playbook=playbook, understanding=understanding, clock=FrozenClock()
    ) as desk:
        for number, text in enumerate(("Здравствуйте, сколько стоит?", "Hello, can I book for tomorrow?")):
            inbound = Inbound("eval", "warm-up", "warm-up", text, message_id=f"warm-up-{number}")
            await desk.runner.handle(inbound)
