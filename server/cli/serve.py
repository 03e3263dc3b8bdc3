"""`frontdesk serve`: the main job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from server.app import create_app
from server.settings import Settings
from tools.playbook import PlaybookInvalid, load_playbook

out = Console()


def serve(
    playbook: Annotated[
        Path | None, typer.Option(help="The business's playbook (FRONTDESK_PLAYBOOK).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (FRONTDESK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (FRONTDESK_PORT).")] = None,
) -> None:
    """Run the server on the embedded defaults (or what the environment configures)."""
    overrides = {
        name: value for name, value in {"playbook": playbook, "host": host, "port": port}.items() if value
    }
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        business = load_playbook(settings.playbook).business
    except PlaybookInvalid as error:
        Console(stderr=True).print(str(error), markup=False)
        raise typer.Exit(1) from None
    url = settings.effective_public_url
    out.print(f"[bold]{business.name.get(business.default_language)}[/bold] — Frontdesk is starting")
    out.print(f"  start page   {url}/")
    out.print(f"  API docs     {url}/docs")
    out.print(f"  data         {settings.effective_database_url}")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
