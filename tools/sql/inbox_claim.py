"""Claiming a conversation's turn in the SQL inbox: the lease and the events, in few round trips.

A claim runs in one write transaction: the conversation's lease is taken with one upsert (a row
back only when it is now this owner's), its open events are read, and every one of them is moved
to ``processing`` with one update. The statements are built once and compiled once (SQLAlchemy's
cache), only their parameters change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.ids import new_id
from tools.inbox import InboxStatus
from tools.sql.schema import conversation_leases, inbox_events

MAX_ATTEMPTS = 5
"""An event that failed this many times is dead-lettered instead of tried again."""
OPEN = (InboxStatus.PENDING.value, InboxStatus.PROCESSING.value)
"""The statuses of events still to be answered."""
CANDIDATES = 20
"""Conversations looked at per claim without a conversation key (oldest open event first)."""

_UNTIL = conversation_leases.c.until.type


def _lease_upsert(dialect: Any) -> Any:
    """Insert the lease, or take it over when it ran out or is already the owner's; returns a row when taken."""
    statement = dialect.insert(conversation_leases).values(
        conversation_key=bindparam("key"), owner=bindparam("owner"), until=bindparam("until", type_=_UNTIL)
    )
    return statement.on_conflict_do_update(
        index_elements=[conversation_leases.c.conversation_key],
        set_={"owner": statement.excluded.owner, "until": statement.excluded.until},
        where=or_(
            conversation_leases.c.until <= bindparam("now", type_=_UNTIL),
            conversation_leases.c.owner == statement.excluded.owner,
        ),
    ).returning(conversation_leases.c.conversation_key)


_LEASES = {"postgresql": _lease_upsert(postgresql), "sqlite": _lease_upsert(sqlite)}
_RELEASE = delete(conversation_leases).where(conversation_leases.c.conversation_key == bindparam("key"))
_RELEASE_OWN = delete(conversation_leases).where(
    conversation_leases.c.conversation_key == bindparam("key"),
    conversation_leases.c.owner == bindparam("owner"),
)
_OPEN_EVENTS = (
    select(inbox_events)
    .where(inbox_events.c.conversation_key == bindparam("key"), inbox_events.c.status.in_(OPEN))
    .order_by(inbox_events.c.received_at, inbox_events.c.id)
)
_START = (
    update(inbox_events)
    .where(inbox_events.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status=InboxStatus.PROCESSING.value,
        lease_owner=bindparam("owner"),
        attempts=inbox_events.c.attempts + 1,
        batch=bindparam("batch"),
    )
)
_CANDIDATE_QUERY = (
    select(
        inbox_events.c.conversation_key,
        func.min(inbox_events.c.received_at).label("first"),
        func.max(inbox_events.c.received_at).label("last"),
    )
    .where(inbox_events.c.status.in_(OPEN))
    .group_by(inbox_events.c.conversation_key)
    .order_by(func.min(inbox_events.c.received_at))
    .limit(CANDIDATES)
)


async def candidates(connection: AsyncConnection) -> Sequence[Any]:
    """Conversations with open events (key, first, last received), oldest first."""
    return (await connection.execute(_CANDIDATE_QUERY)).all()


async def lease(connection: AsyncConnection, key: str, owner: str, now: datetime, until: datetime) -> bool:
    """Take the conversation's lease for `owner` until `until` unless another owner holds it past `now`."""
    dialect = connection.dialect.name
    params = {"key": key, "owner": owner, "until": until, "now": now}
    return (await connection.execute(_LEASES[dialect], params)).first() is not None


async def release(connection: AsyncConnection, key: str, *, owner: str | None = None) -> None:
    """Drop the conversation's lease (nothing was left to take); with `owner`, only if it is theirs."""
    if owner is None:
        await connection.execute(_RELEASE, {"key": key})
    else:
        await connection.execute(_RELEASE_OWN, {"key": key, "owner": owner})


async def open_rows(connection: AsyncConnection, key: str) -> Sequence[Row[Any]]:
    """The conversation's open events, oldest first."""
    return (await connection.execute(_OPEN_EVENTS, {"key": key})).all()


async def take(
    connection: AsyncConnection, rows: Sequence[Row[Any]], owner: str
) -> tuple[str, list[Row[Any]]]:
    """The conversation's next turn from its open `rows`: a batch a dead worker started, else all as a new batch.

    Events tried `MAX_ATTEMPTS` times are dead-lettered instead; the rest are moved to
    ``processing`` for `owner` in one statement. Returns the batch id and the rows taken (as read).
    """
    started = next((row.batch for row in rows if row.batch), None)
    batch = started or new_id("bt")
    chosen = [row for row in rows if row.batch == started] if started else list(rows)
    taken: list[Row[Any]] = []
    for row in chosen:
        if row.attempts >= MAX_ATTEMPTS:
            await connection.execute(
                update(inbox_events)
                .where(inbox_events.c.id == row.id)
                .values(status=InboxStatus.DEAD.value, error=row.error or "too many attempts")
            )
            continue
        taken.append(row)
    if taken:
        await connection.execute(_START, {"ids": [row.id for row in taken], "owner": owner, "batch": batch})
    return batch, taken
