"""The inbox's batch insert: new events stored, redeliveries skipped, the new ids returned.

On PostgreSQL the batch goes as one array per column through ``unnest``, so the statement's text
is the same whatever the batch size: psycopg converts and caches it once. (A multi-row
``VALUES`` list has a new text for every batch size, longer than psycopg's query cache takes,
and was parsed again on every webhook batch.) SQLite takes the rows as an executemany.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.sql.schema import inbox_events

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("provider_id", "VARCHAR"),
    ("chat_id", "VARCHAR"),
    ("conversation_key", "VARCHAR"),
    ("sender_id", "VARCHAR"),
    ("sender_name", "VARCHAR"),
    ("text", "TEXT"),
    ("kind", "VARCHAR"),
    ("extra", "TEXT"),
    ("received_at", "TIMESTAMPTZ"),
    ("status", "VARCHAR"),
    ("attempts", "INTEGER"),
)
"""The columns a new event fills, with the PostgreSQL type of their array (``extra`` goes as JSON text)."""

_NAMES = ", ".join(name for name, _ in _COLUMNS)
_POSTGRES = text(
    f"INSERT INTO inbox_events ({_NAMES}) "
    f"SELECT {', '.join('u.extra::jsonb' if name == 'extra' else f'u.{name}' for name, _ in _COLUMNS)} "
    f"FROM unnest({', '.join(f'CAST(:{name} AS {kind}[])' for name, kind in _COLUMNS)}) AS u({_NAMES}) "
    "ON CONFLICT (channel, provider_id) DO NOTHING RETURNING id"
)
_SQLITE = sqlite.insert(inbox_events).on_conflict_do_nothing().returning(inbox_events.c.id)


async def insert_new_events(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert `rows` (each with every column of `_COLUMNS`); the ids of those that were not stored before."""
    if connection.dialect.name == "postgresql":
        columns = {name: [row[name] for row in rows] for name, _ in _COLUMNS}
        columns["extra"] = [json.dumps(row["extra"], ensure_ascii=False) for row in rows]
        result = await connection.execute(_POSTGRES, columns)
    else:
        result = await connection.execute(_SQLITE, list(rows))
    return {row.id for row in result.all()}
