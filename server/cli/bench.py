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
