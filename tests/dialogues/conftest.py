"""A customer chatting with a demo business through the real path (runner → graph → stores)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest

from agents.knowledge import KnowledgeAnswerer
from agents.understanding.adapter import OfflineUnderstanding
from graph import Inbound, TurnResult
from knowledge.answerers import open_answerer
from knowledge.business import KnowledgeSource
from server.assembly import Frontdesk, open_frontdesk
from server.settings import Settings
from tests.conftest import ROOT
from tools.clock import FrozenClock
from tools.playbook import load_playbook

_ids = itertools.count()


@dataclass
class Chat:
    """One customer's conversation."""

    desk: Frontdesk
    channel: str = "telegram"
    customer: str = "c1"
    last: TurnResult | None = None
    log: list[str] = field(default_factory=list)

    async def say(self, text: str) -> str:
        """Send a message; return the replies joined by newlines."""
        self.last = await self.desk.runner.handle(
            Inbound(self.channel, self.customer, self.customer, text, message_id=f"m{next(_ids)}")
        )
        replies = "\n".join(r.text for r in self.last.replies)
        self.log += [f"> {text}", replies]
        return replies

    @property
    def buttons(self) -> list[str]:
        """The buttons of the last reply that had any."""
        assert self.last is not None
        for reply in reversed(self.last.replies):
            if reply.buttons:
                return list(reply.buttons)
        return []

    @property
    def agent(self) -> str | None:
        """The agent of the last reply."""
        assert self.last is not None
        return self.last.replies[-1].agent if self.last.replies else None


@pytest.fixture
def clock() -> FrozenClock:
    """Monday 2027-03-01 23:40 in Moscow (after hours)."""
    return FrozenClock(datetime(2027, 3, 1, 20, 40, tzinfo=UTC))


_understanders: dict[str, OfflineUnderstanding] = {}


def understander(playbook: str) -> OfflineUnderstanding:
    """The offline understanding of a demo playbook, trained once per test session."""
    if playbook not in _understanders:
        _understanders[playbook] = OfflineUnderstanding(
            load_playbook(ROOT / f"examples/{playbook}/playbook.yaml")
        )
    return _understanders[playbook]


_answerers: dict[str, KnowledgeAnswerer | None] = {}


@pytest.fixture(scope="session")
def knowledge_dir(shared_data_dir: Path) -> Path:
    """Where the demo businesses' knowledge bases are built, once per test session (the evals' cache)."""
    return shared_data_dir / "cache" / "eval-knowledge"


def knowledge(playbook: str, folder: Path) -> KnowledgeAnswerer | None:
    """The offline answers from a demo business's documents (ingested once per test session)."""
    if playbook not in _answerers:
        source = KnowledgeSource.from_playbook(ROOT / f"examples/{playbook}/playbook.yaml")
        _answerers[playbook] = open_answerer(source, data_dir=folder)
    return _answerers[playbook]


def settings_for(playbook: str, tmp_path: Path, database_url: str) -> Settings:
    """Settings of a demo business on a test database."""
    return Settings(
        playbook=ROOT / f"examples/{playbook}/playbook.yaml", data_dir=tmp_path, database_url=database_url
    )


async def _open(
    playbook: str, tmp_path: Path, clock: FrozenClock, database_url: str, knowledge_dir: Path
) -> AsyncIterator[Frontdesk]:
    settings = settings_for(playbook, tmp_path, database_url)
    answers: KnowledgeAnswerer | Literal["none"] = knowledge(playbook, knowledge_dir) or "none"
    async with open_frontdesk(
        settings, clock=clock, understanding=understander(playbook), knowledge=answers
    ) as desk:
        yield desk


@pytest.fixture
async def studio(
    tmp_path: Path, clock: FrozenClock, database_url: str, knowledge_dir: Path
) -> AsyncIterator[Frontdesk]:
    """The beauty studio."""
    async for desk in _open("studio", tmp_path, clock, database_url, knowledge_dir):
        yield desk


@pytest.fixture
async def renovation(
    tmp_path: Path, clock: FrozenClock, database_url: str, knowledge_dir: Path
) -> AsyncIterator[Frontdesk]:
    """The renovation company."""
    async for desk in _open("renovation", tmp_path, clock, database_url, knowledge_dir):
        yield desk
