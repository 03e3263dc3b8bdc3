"""`frontdesk worker`: a process that answers turns and sends replies, without HTTP.

It opens what the server opens (the same lifespan) and runs the inbox loop and the outbox loop
until SIGTERM or SIGINT, then finishes the turn under way. Many run side by side against one
PostgreSQL database; with ``REDIS_URL`` turns are spread over them by a Redis stream (see
docs/scaling.md), without it they poll the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from server.logs import configure_logging
from server.settings import Settings

log = logging.getLogger("frontdesk.worker")
err = Console(stderr=True)


def shared_database_problem(settings: Settings) -> str | None:
    """Why `settings` cannot run separate worker processes, or None when they can."""
    if settings.database_url is None or settings.effective_database_url.startswith("sqlite"):
        return (
            "worker processes need a database every process shares: set DATABASE_URL=postgresql://… "
            "(the embedded SQLite database is for one process: run `frontdesk serve` without --workers)"
        )
    if settings.redis_url is None:
        return (
            "worker processes need REDIS_URL: Redis spreads turns over them and carries their web-chat "
            "replies to the process that holds the customer's connection (one process needs neither: "
            "run `frontdesk serve` without --workers)"
        )
    return None


def worker(
    playbook: Annotated[
        Path | None, typer.Option(help="The business's playbook (FRONTDESK_PLAYBOOK).")
    ] = None,
    parent_pid: Annotated[
        int | None, typer.Option(hidden=True, help="Stop when this process (the supervisor) is gone.")
    ] = None,
) -> None:
    """Answer turns and send replies (no HTTP): one of the worker processes of a PostgreSQL + Redis deployment."""
    settings = Settings(**({"playbook": playbook} if playbook else {}), workers=0, api_only=False)  # type: ignore[arg-type]
    problem = shared_database_problem(settings)
    if problem:
        err.print(problem, markup=False)
        raise typer.Exit(2)
    configure_logging(settings.log_format, settings.log_level)
    with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
        runner.run(run_worker(settings, parent_pid=parent_pid))


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (as the API process under uvicorn uses), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return None
    return uvloop.new_event_loop


async def run_worker(settings: Settings, *, parent_pid: int | None = None) -> None:
    """Run the server's lifespan (inbox and outbox loops) until a stop signal or the parent's death."""
    from server.app import create_app

    app = create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with app.router.lifespan_context(app):
        log.info("worker %d is processing turns", os.getpid())
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("the supervisor (pid %d) is gone; stopping", parent_pid)
                break
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                continue
        log.info("worker %d is stopping", os.getpid())
