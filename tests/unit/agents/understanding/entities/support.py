"""Shared test data: a fixed moment, the demo playbooks and a shortcut to extract entities."""

from __future__ import annotations

from datetime import datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from agents.understanding.entities import extract_entities
from agents.understanding.model import DialogueContext, Entities
from tools.playbook import Playbook, load_playbook

ROOT = Path(__file__).resolve().parents[5]
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=MOSCOW)
"""Monday 1 March 2027, noon in Moscow."""


@cache
def playbook(name: str) -> Playbook:
    """A demo playbook (``studio`` or ``renovation``), loaded once."""
    return load_playbook(ROOT / "examples" / name / "playbook.yaml")


def context(
    *, expecting: str | None = None, offered: tuple[time, ...] = (), now: datetime = NOW
) -> DialogueContext:
    """A conversation at `now`, optionally having just asked for `expecting` or offered times today."""
    moments = tuple(now.replace(hour=moment.hour, minute=moment.minute) for moment in offered)
    return DialogueContext(now=now, expecting=expecting, offered_times=moments)


def extract(
    text: str,
    *,
    business: str = "studio",
    language: str = "ru",
    expecting: str | None = None,
    offered: tuple[time, ...] = (),
) -> Entities:
    """Entities of `text` for a demo business at `NOW`."""
    return extract_entities(
        text,
        language=language,
        playbook=playbook(business),
        context=context(expecting=expecting, offered=offered),
    )
