"""A fresh database for one benchmark run: a temporary PostgreSQL database, or new SQLite files."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tools.sql import database_urls


def _remove_sqlite_files(data_dir: Path) -> None:
    """A fresh embedded database for the run: the last run's SQLite files go."""
    for pattern in ("bench*.sqlite3*", "checkpoints.sqlite3*"):
        for stale in data_dir.glob(pattern):
            stale.unlink()


@asynccontextmanager
async def fresh_database(database_url: str | None, data_dir: Path) -> AsyncIterator[str]:
    """A new database on the PostgreSQL server of `database_url` (dropped after), or a new SQLite file in `data_dir`."""
    if database_url is None:
        await asyncio.to_thread(_remove_sqlite_files, data_dir)
        yield f"sqlite:///{(data_dir / 'bench.sqlite3').resolve()}"
        return
    import psycopg

    admin = database_urls(database_url).sync_url.set(drivername="postgresql")
    name = f"fd_bench_{uuid.uuid4().hex[:10]}"
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
