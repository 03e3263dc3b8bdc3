"""`frontdesk serve`: the main job (with `--workers N`, also N supervised worker processes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from server.app import create_app
from server.cli.worker import shared_database_problem
from server.console.bootstrap import PASSWORD_FILE
from server.logs import configure_logging
from server.settings import Settings
from server.supervisor import Supervisor, api_answers, environment, worker_command
from tools.playbook import PlaybookInvalid, load_playbook

out = Console()


def serve(
    playbook: Annotated[
        Path | None, typer.Option(help="The business's playbook (FRONTDESK_PLAYBOOK).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (FRONTDESK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (FRONTDESK_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help="Worker processes to start and watch (FRONTDESK_WORKERS); 0 answers turns in this process. "
            "Needs DATABASE_URL=postgresql://… and REDIS_URL.",
        ),
    ] = None,
) -> None:
    """Run the server on the embedded defaults (or what the environment configures)."""
    overrides = {
        name: value
        for name, value in {"playbook": playbook, "host": host, "port": port, "workers": workers}.items()
        if value is not None
    }
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        business = load_playbook(settings.playbook).business
    except PlaybookInvalid as error:
        Console(stderr=True).print(str(error), markup=False)
        raise typer.Exit(1) from None
    problem = shared_database_problem(settings) if settings.workers else None
    if problem:
        Console(stderr=True).print(problem, markup=False)
        raise typer.Exit(2)
    url = settings.effective_public_url
    out.print(f"[bold]{business.name.get(business.default_language)}[/bold] — Frontdesk is starting")
    out.print(
        f'  web chat     {url}/webchat/demo   (embed: <script src="{url}/webchat/widget.js" async></script>)'
    )
    password_file = settings.data_dir / PASSWORD_FILE
    first = (
        f"   (first start: log in as admin, password in {password_file})" if not settings.database_url else ""
    )
    out.print(f"  console      {url}/console{first}")
    out.print(f"  start page   {url}/")
    out.print(f"  API docs     {url}/docs")
    out.print(f"  data         {settings.effective_database_url}")
    configure_logging(settings.log_format, settings.log_level)
    if not settings.workers:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
        return
    out.print(f"  workers      {settings.workers} processes, turns via Redis")
    supervisor = Supervisor(
        settings.workers,
        worker_command(os.getpid()),
        environment({"FRONTDESK_PLAYBOOK": str(settings.playbook.resolve())}),
        ready=api_answers(f"http://127.0.0.1:{settings.port}"),
    )
    supervisor.start()
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    finally:
        supervisor.stop()
