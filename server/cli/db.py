"""`frontdesk db …`: create and upgrade the business database."""

from __future__ import annotations

import typer
from rich.console import Console

from server.settings import Settings
from tools.sql import current_revision, database_urls, head_revision, upgrade_database

app = typer.Typer(help="Create, upgrade and inspect the business database.", no_args_is_help=True)
out = Console()


def _urls() -> tuple[str, object]:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    return url, database_urls(url)


@app.command()
def upgrade() -> None:
    """Bring the database (DATABASE_URL, or the SQLite file in the data directory) to the current schema."""
    url, urls = _urls()
    upgrade_database(urls)  # type: ignore[arg-type]
    out.print(f"database at revision {current_revision(urls)}: {_safe(url)}")  # type: ignore[arg-type]


@app.command()
def current() -> None:
    """Print the database's schema revision and whether it is up to date."""
    url, urls = _urls()
    now, head = current_revision(urls), head_revision(urls)  # type: ignore[arg-type]
    state = "up to date" if now == head else f"behind: run 'frontdesk db upgrade' to reach {head}"
    out.print(f"{_safe(url)}: revision {now or 'none (empty database)'}, {state}")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
