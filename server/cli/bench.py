"""`frontdesk bench …`: speed and size figures of the real path."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from server.settings import DEFAULT_PLAYBOOK

app = typer.Typer(help="Measure speed and size on this machine.", no_args_is_help=True)
out = Console()


@app.command()
def turns(
    conversations: Annotated[int, typer.Option(help="How many simulated conversations.")] = 20,
    turns_each: Annotated[int, typer.Option("--turns", help="Turns per conversation.")] = 50,
    concurrency: Annotated[int, typer.Option(help="Conversations running at once.")] = 4,
    playbook: Annotated[Path, typer.Option(help="The business.")] = DEFAULT_PLAYBOOK,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Simulated conversations through the in-process path on the embedded defaults (offline understanding).

    Prints turns/s, p50 / p95 / p99 turn latency, checkpoint bytes per conversation at 10 and 50 turns,
    start-up time and peak memory.
    """
    from evals.bench.turns import run

    report = asyncio.run(
        run(playbook=playbook, conversations=conversations, turns=turns_each, concurrency=concurrency)
    )
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report)))
        return
    table = Table("figure", "value", title="frontdesk bench turns")
    for name, value in dataclasses.asdict(report).items():
        table.add_row(name, str(value))
    out.print(table)


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
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report)))
        return
    table = Table("figure", "value", title="frontdesk bench kb")
    for name, value in dataclasses.asdict(report).items():
        table.add_row(name, str(value))
    out.print(table)
