"""The one checkpointer of the conversation graph: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import make_url


@asynccontextmanager
async def open_checkpointer(
    database_url: str, *, sqlite_path: Path
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """AsyncPostgresSaver for a PostgreSQL `database_url`, else AsyncSqliteSaver at `sqlite_path`."""
    url = make_url(database_url)
    if url.get_backend_name() in {"postgresql", "postgres"}:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
            await saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(sqlite_path)) as saver:
        await saver.setup()
        yield saver


async def keep_latest(saver: BaseCheckpointSaver[Any], thread_id: str) -> None:
    """Delete every checkpoint of a conversation but the latest, so its storage stays constant.

    The PostgreSQL saver prunes itself; the SQLite saver's `aprune` is not implemented,
    so its two tables are pruned here directly (checkpoint ids sort in creation order).
    """
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    if not isinstance(saver, AsyncSqliteSaver):
        await saver.aprune([thread_id], strategy="keep_latest")
        return
    latest = (
        "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? GROUP BY checkpoint_ns"
    )
    async with saver.lock:
        async with saver.conn.execute(latest, (thread_id,)) as cursor:
            keep = await cursor.fetchall()
        for namespace, checkpoint_id in keep:
            for table in ("checkpoints", "writes"):
                await saver.conn.execute(
                    f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
                    (thread_id, namespace, checkpoint_id),
                )
        await saver.conn.commit()
