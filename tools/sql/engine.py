"""Database engines for SQLite (the embedded default) and PostgreSQL.

`DATABASE_URL` may be given the way people write it (``postgresql://…``,
``sqlite:///data/frontdesk.sqlite3``); the drivers are chosen here. SQLite gets
WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions so that concurrent writers queue instead of failing.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tools.errors import ConfigError

WRITE = {"frontdesk_write": True}
"""Execution options of a connection that will write (SQLite takes the write lock up front)."""


@dataclass(frozen=True)
class DatabaseUrls:
    """The async URL the stores use and the sync URL migrations use."""

    async_url: URL
    sync_url: URL

    @property
    def is_sqlite(self) -> bool:
        """Whether this is an SQLite database."""
        return self.async_url.get_backend_name() == "sqlite"


def database_urls(url: str) -> DatabaseUrls:
    """Pick drivers for `url` (ConfigError for anything but SQLite or PostgreSQL)."""
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(
            f"DATABASE_URL {url!r} is not a database URL; use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user:password@host:5432/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return DatabaseUrls(parsed.set(drivername="sqlite+aiosqlite"), parsed.set(drivername="sqlite"))
    if backend in {"postgresql", "postgres"}:
        psycopg = parsed.set(drivername="postgresql+psycopg")
        return DatabaseUrls(psycopg, psycopg)
    raise ConfigError(f"DATABASE_URL uses {backend!r}; Frontdesk supports sqlite:///… and postgresql://…")


def create_engine(urls: DatabaseUrls, *, echo: bool = False) -> AsyncEngine:
    """Build the async engine for `urls`, with SQLite tuned for concurrent use."""
    if not urls.is_sqlite:
        return create_async_engine(
            urls.async_url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20
        )
    engine = create_async_engine(
        urls.async_url, echo=echo, connect_args={"timeout": 30}, pool_size=5, max_overflow=25
    )
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("frontdesk_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_sqlite_writers: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for a write transaction.

    On SQLite, writers of one process queue on an asyncio lock before taking the
    database's write lock, instead of spinning in SQLite's busy handler (which
    sleeps in growing steps and makes the slowest turns slow). Other processes
    still wait on the busy timeout. PostgreSQL writers run concurrently.
    """
    lock: asyncio.Lock | None = None
    if engine.dialect.name == "sqlite":
        lock = _sqlite_writers.setdefault(engine.sync_engine, asyncio.Lock())
    async with lock if lock is not None else nullcontext(), engine.connect() as raw:
        yield await raw.execution_options(**WRITE)
