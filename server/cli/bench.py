"""`frontdesk bench …`: speed and size figures of the real path."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from server.settings import DEFAULT_PLAYBOOK

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help="A PostgreSQL server: the run uses a fresh database on it, dropped after (empty: SQLite)."
    ),
]
"""The database option every benchmark shares."""

app = typer.Typer(help="Measure speed and size on this machine.", no_args_is_help=True)
out = Console()


@app.command()
def turns(
    conversations: Annotated[int, typer.Option(help="How many simulated conversations.")] = 20,
    turns_each: Annotated[int, typer.Option("--turns", help="Turns per conversation.")] = 50,
    concurrency: Annotated[int, typer.Option(help="Conversations running at once.")] = 4,
    playbook: Annotated[Path, typer.Option(help="The business.")] = DEFAULT_PLAYBOOK,
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Simulated conversations through the in-process path (offline understanding), SQLite or PostgreSQL.

    Prints turns/s, p50 / p95 / p99 turn latency, CPU milliseconds per turn, checkpoint bytes per
    conversation at 10 and 50 turns (SQLite), start-up time and peak memory.
    """
    from evals.bench.turns import run

    report = asyncio.run(
        run(
            playbook=playbook,
            conversations=conversations,
            turns=turns_each,
            concurrency=concurrency,
            database_url=database_url,
        )
    )
    _show(report, "frontdesk bench turns", as_json=as_json)


@app.command()
def kb(
    chunks: Annotated[int, typer.Option(min=10, help="Synthetic chunks to ingest.")] = 10_000,
    queries: Annotated[int, typer.Option(min=1, help="Searches to time.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """The knowledge base at scale: ingestion rate (chunks/s) and query latency p50 / p95.

    Synthetic documents recombined from the demo businesses' sentences (half English, half Russian)
    are ingested into a temporary embedded Chroma through the real path; then the labelled questions
    of evals/kb are asked. About 7 minutes for 10,000 chunks on 2 cores.
    """
    from knowledge.bench import run as run_kb
    from knowledge.embeddings import shared_embedder

    report = run_kb(
        shared_embedder(), examples=Path("examples"), sets=Path("evals/kb"), chunks=chunks, queries=queries
    )
    _show(report, "frontdesk bench kb", as_json=as_json)


@app.command()
def webhooks(
    conversations: Annotated[int, typer.Option(min=1, help="Customers posting at once.")] = 100,
    duration: Annotated[float, typer.Option(min=1, help="Seconds of load.")] = 15.0,
    workers: Annotated[
        int, typer.Option(min=0, help="Worker processes (`serve --workers`); 0 answers in the API process.")
    ] = 2,
    database_url: DatabaseUrl = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis for the turn stream (empty: none).")] = None,
    playbook: Annotated[Path, typer.Option(help="The business.")] = DEFAULT_PLAYBOOK,
    data_dir: Annotated[
        Path, typer.Option(help="Kept between runs (classifier cache, knowledge base).")
    ] = Path("var/bench"),
    redeliver: Annotated[float, typer.Option(min=0, max=1, help="Share of updates delivered twice.")] = 0.05,
    think: Annotated[
        float,
        typer.Option(min=0, help="Mean seconds a customer pauses after the answer before writing again."),
    ] = 0.5,
    reply_timeout: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds a customer waits for the answer before writing anyway; 0: never waits "
            "(turn capacity past Telegram's 30 messages/s per bot, which caps answered customers).",
        ),
    ] = 10.0,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            help="A server setting for this run, NAME=VALUE (e.g. worker_concurrency=8, burst_s=2); repeatable."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Sustained Telegram webhook load over real HTTP against `frontdesk serve --workers N`.

    Each customer writes, waits for the bot's answer (or the reply timeout), thinks, and writes
    again. Prints acks/s, ack latency p50 / p99, messages/s, turns processed/s, answer latency,
    duplicate replies and lost messages. Without --database-url it runs embedded (SQLite; then use
    --workers 0).
    """
    from evals.bench.webhooks import run as run_webhooks

    if database_url is None and workers:
        raise typer.BadParameter("worker processes need --database-url postgresql://… (or use --workers 0)")
    server_settings: dict[str, str] = {}
    for item in setting or []:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(f"--setting {item!r}: write NAME=VALUE, e.g. worker_concurrency=8")
        server_settings[name.strip()] = value
    report = asyncio.run(
        run_webhooks(
            playbook=playbook.resolve(),
            conversations=conversations,
            duration_s=duration,
            workers=workers,
            database_url=database_url,
            redis_url=redis_url,
            data_dir=data_dir.resolve(),
            redeliver=redeliver,
            think_s=think,
            reply_timeout_s=reply_timeout,
            server_settings=server_settings,
        )
    )
    _show(report, "frontdesk bench webhooks", as_json=as_json)


@app.command()
def timers(
    count: Annotated[int, typer.Option("--timers", min=1, help="Timers due at once (fired/s).")] = 1000,
    workers: Annotated[
        int, typer.Option(min=1, help="Timer workers, each with its own pool and client.")
    ] = 2,
    rounds: Annotated[int, typer.Option(min=1, help="Single timers timed from scheduling to firing.")] = 20,
    database_url: DatabaseUrl = None,
    redis_url: Annotated[
        str | None, typer.Option(help="Redis for the index of due timers (empty: polling only).")
    ] = None,
    playbook: Annotated[Path, typer.Option(help="The business.")] = DEFAULT_PLAYBOOK,
    data_dir: Annotated[Path, typer.Option(help="Where the SQLite file goes.")] = Path("var/bench"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Durable timers: fired/s, pickup latency p50 / p99 and idle database statements/s, polling vs the Redis index.

    Timer workers run in this process on a fresh database with a flow that does nothing; with
    --redis-url the same run is repeated with the Redis index of due timers (docs/proactive.md).
    """
    from evals.bench.timers import run as run_timers

    report = asyncio.run(
        run_timers(
            playbook=playbook.resolve(),
            timers=count,
            workers=workers,
            rounds=rounds,
            database_url=database_url,
            redis_url=redis_url,
            data_dir=data_dir.resolve(),
        )
    )
    _show(report, "frontdesk bench timers", as_json=as_json)


def _show(report: DataclassInstance, title: str, *, as_json: bool) -> None:
    """A benchmark's figures (a dataclass) as one JSON line, or as a table of figure and value."""
    figures = dataclasses.asdict(report)
    if as_json:
        typer.echo(json.dumps(figures))
        return
    table = Table("figure", "value", title=title)
    for name, value in figures.items():
        table.add_row(name, str(value))
    out.print(table)
