"""`frontdesk bench turns`: simulated conversations through the same path channels use.

Reports turns per second, turn latency percentiles, the process's CPU time per turn (every
thread, the database driver's included), checkpoint bytes per conversation after 10 and 50 turns
(SQLite), start-up time and peak memory. With a PostgreSQL server the run uses a fresh database on
it (dropped afterwards).
"""

from __future__ import annotations

import asyncio
import resource
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents.understanding.adapter import OfflineUnderstanding
from evals.bench.databases import fresh_database
from graph import Inbound
from server.assembly import Frontdesk, open_frontdesk
from server.settings import Settings
from tools.clock import FrozenClock
from tools.playbook import load_playbook

SCRIPTS = {
    "ru": [
        "Здравствуйте",
        "Можно на завтра на маникюр?",
        "1",
        "Анна",
        "+7 916 123-45-67",
        "нет",
        "а сколько стоит педикюр?",
        "передумала, не надо",
        "Сколько стоит?",
        "на свадьбу",
        "до 15 тысяч",
        "не знаю",
        "спасибо",
    ],
    "en": [
        "Hello",
        "Can I book a manicure tomorrow?",
        "the second one",
        "Kate",
        "+44 20 7946 0958",
        "no",
        "how much is a pedicure?",
        "never mind",
        "How much does it cost?",
        "for a wedding",
        "about 15k",
        "skip",
        "thanks, bye",
    ],
}


@dataclass(frozen=True)
class TurnsReport:
    """The figures of one run."""

    conversations: int
    turns: int
    seconds: float
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms_per_turn: float
    """CPU time of this process (all threads) per turn: the cost a worker pays, whatever the waiting."""
    checkpoint_bytes_at_10: int
    checkpoint_bytes_at_50: int
    startup_s: float
    """Seconds to open everything on a fresh database (migrations included), with the classifier cached."""
    peak_rss_mb: float


def _checkpoint_bytes(path: Path, thread_id: str) -> int:
    with sqlite3.connect(path) as db:
        checkpoints = db.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()[0]
        writes = db.execute(
            "SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]
    return int(checkpoints) + int(writes)


async def _conversation(
    desk: Frontdesk,
    index: int,
    turns: int,
    clock: FrozenClock,
    latencies: list[float],
    sizes: dict[int, int],
    data_dir: Path,
) -> None:
    script = SCRIPTS["ru" if index % 2 == 0 else "en"]
    chat = f"bench-{index}"
    for turn in range(turns):
        text = script[turn % len(script)]
        started = time.perf_counter()
        await desk.runner.handle(Inbound("webchat", chat, chat, text, message_id=f"{chat}-{turn}"))
        latencies.append((time.perf_counter() - started) * 1000)
        clock.advance(timedelta(minutes=1))
        if index == 0 and turn + 1 in (10, 50) and (data_dir / "checkpoints.sqlite3").exists():
            sizes[turn + 1] = _checkpoint_bytes(data_dir / "checkpoints.sqlite3", f"webchat:{chat}")


async def run(
    *,
    playbook: Path,
    conversations: int,
    turns: int,
    concurrency: int,
    cache_dir: Path | None = None,
    database_url: str | None = None,
) -> TurnsReport:
    """Run `conversations` simulated conversations of `turns` turns, `concurrency` at a time.

    `cache_dir` keeps the trained classifier between runs, as a server's data directory does,
    so the start-up figure is the everyday one (the first run trains and is slower).
    `database_url` (PostgreSQL): a fresh database on that server instead of SQLite files.
    """
    with tempfile.TemporaryDirectory() as folder:
        async with fresh_database(database_url, Path(folder)) as url:
            return await _run(playbook, conversations, turns, concurrency, cache_dir, Path(folder), url)


async def _run(
    playbook: Path,
    conversations: int,
    turns: int,
    concurrency: int,
    cache_dir: Path | None,
    data_dir: Path,
    database_url: str,
) -> TurnsReport:
    clock = FrozenClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    started = time.perf_counter()
    settings = Settings(playbook=playbook, data_dir=data_dir, database_url=database_url)
    understanding = OfflineUnderstanding(load_playbook(playbook), cache_dir=cache_dir)
    async with open_frontdesk(settings, clock=clock, understanding=understanding, knowledge="none") as desk:
        startup = time.perf_counter() - started
        latencies: list[float] = []
        sizes: dict[int, int] = {}
        began = time.perf_counter()
        cpu_began = time.process_time()
        for batch in range(0, conversations, concurrency):
            await asyncio.gather(
                *(
                    _conversation(desk, index, turns, clock, latencies, sizes, data_dir)
                    for index in range(batch, min(batch + concurrency, conversations))
                )
            )
        seconds = time.perf_counter() - began
        cpu_s = time.process_time() - cpu_began
    ordered = sorted(latencies)
    quantiles = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else [ordered[0]] * 99
    return TurnsReport(
        conversations=conversations,
        turns=len(latencies),
        seconds=round(seconds, 2),
        turns_per_second=round(len(latencies) / seconds, 1),
        p50_ms=round(quantiles[49], 1),
        p95_ms=round(quantiles[94], 1),
        p99_ms=round(quantiles[98], 1),
        cpu_ms_per_turn=round(cpu_s * 1000 / len(latencies), 2),
        checkpoint_bytes_at_10=sizes.get(10, 0),
        checkpoint_bytes_at_50=sizes.get(50, 0),
        startup_s=round(startup, 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
