"""Database engines for SQLite (the embedded default) and PostgreSQL.

`DATABASE_URL` may be given the way people write it (``postgresql://…``,
``sqlite:///data/frontdesk.sqlite3``); the drivers are chosen here. SQLite gets
WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions so that concurrent writers queue instead of failing.

PostgreSQL round trips are what a turn mostly pays for, so none is spent needlessly: a pooled
connection is pinged only when it sat idle for `PING_IDLE_S` (a busy pool's connections are
known to be alive), and reads (`reading`) run without ``BEGIN`` / ``ROLLBACK`` around them.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tools.errors import ConfigError

WRITE = {"frontdesk_write": True}
"""Execution options of a connection that will write (SQLite takes the write lock up front)."""
READ = {"isolation_level": "AUTOCOMMIT"}
"""Execution options of a PostgreSQL connection that only reads (no transaction around the statements)."""
PING_IDLE_S = 5.0
"""A pooled PostgreSQL connection idle longer than this is pinged before use (a restarted server is noticed)."""
_CHECKED_IN = "frontdesk_checked_in"


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
        engine = create_async_engine(urls.async_url, echo=echo, pool_size=10, max_overflow=20)
        _ping_when_idle(engine)
        return engine
    engine = create_async_engine(
        urls.async_url, echo=echo, connect_args={"timeout": 30}, pool_size=5, max_overflow=25
    )
    _tune_sqlite(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Like ``pool_pre_ping``, but only for a connection that sat idle longer than `PING_IDLE_S`.

    A failed ping raises `DisconnectionError`: the pool drops the connection and opens a new one.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in < PING_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"the database connection is gone ({error})") from error


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


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads only.

    On PostgreSQL each statement runs on its own (autocommit): no ``BEGIN`` before it and no
    ``ROLLBACK`` when the connection goes back to the pool, two round trips saved per read. Under
    READ COMMITTED that is what the reads saw anyway (every statement its own snapshot). Writes
    go through `writing`.
    """
    async with engine.connect() as raw:
        yield await raw.execution_options(**READ) if engine.dialect.name == "postgresql" else raw


@asynccontextmanager
async def single_write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for a write that is one statement (or one statement and a read after it).

    On PostgreSQL the statement commits by itself (autocommit: no ``BEGIN`` and ``COMMIT`` round
    trips; one statement is atomic on its own). On SQLite it is a write transaction (`writing`).
    """
    if engine.dialect.name == "postgresql":
        async with reading(engine) as connection:
            yield connection
        return
    async with writing(engine) as connection, connection.begin():
        yield connection
