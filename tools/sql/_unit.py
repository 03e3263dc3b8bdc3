"""The write path shared by every SQL store: idempotency, audit and timeline.

`SqlBase.write` runs one transaction that does the work, records the
idempotency key with the id of what it produced, and commits. A repeat of the
same key returns the first result without writing; a key reused for another
request is refused. Constraint violations from a concurrent twin of the same
request resolve to the twin's result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import IdempotencyMismatch, NotFound
from tools.ids import new_id
from tools.sql.engine import reading, writing
from tools.sql.schema import activities, audit_log, contacts, idempotency_keys

T = TypeVar("T")

Work = Callable[[AsyncConnection], Awaitable[str]]
"""Does the writes of one request inside its transaction; returns the id of the result."""


@dataclass(frozen=True)
class Change:
    """What the audit log says about one write."""

    action: str
    entity: str
    entity_id: str
    detail: str


def fingerprint(*parts: object) -> str:
    """A stable digest of a request's content, to notice a key reused for something else."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class SqlBase:
    """What every SQL store shares: the engine, the clock and the write path."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def write(
        self,
        *,
        key: str,
        operation: str,
        request: str,
        work: Work,
        load: Callable[[str], Awaitable[T]],
        on_conflict: Callable[[IntegrityError], Awaitable[T]] | None = None,
    ) -> T:
        """Run `work` once per `key`, then return `load` of its result id.

        When the transaction breaks a constraint and no twin with the same key
        explains it, `on_conflict` decides: it returns what the request should
        get (an existing record) or raises the error the caller should see.
        """
        if not key:
            raise ValueError("every write needs a non-empty idempotency key")
        existing = await self._recorded(key, operation, request)
        if existing is not None:
            return await load(existing)
        try:
            async with writing(self._engine) as connection, connection.begin():
                again = await self._recorded(key, operation, request, connection)
                if again is not None:
                    result_id = again
                else:
                    result_id = await work(connection)
                    await connection.execute(
                        insert(idempotency_keys).values(
                            key=key,
                            operation=operation,
                            fingerprint=request,
                            result_id=result_id,
                            created_at=self._clock.now(),
                        )
                    )
        except IntegrityError as error:
            twin = await self._recorded(key, operation, request)
            if twin is not None:
                return await load(twin)
            if on_conflict is not None:
                return await on_conflict(error)
            raise
        return await load(result_id)

    async def _recorded(
        self, key: str, operation: str, request: str, connection: AsyncConnection | None = None
    ) -> str | None:
        query = select(idempotency_keys).where(idempotency_keys.c.key == key)
        if connection is None:
            async with reading(self._engine) as fresh:
                row = (await fresh.execute(query)).first()
        else:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        if row.operation != operation or row.fingerprint != request:
            raise IdempotencyMismatch(
                f"idempotency key {key!r} was first used for {row.operation} with other content; "
                "use a new key for a new request"
            )
        return str(row.result_id)

    async def _live_row(self, connection: AsyncConnection, contact_id: str) -> Row[Any]:
        seen: set[str] = set()
        current = contact_id
        while True:
            row = (await connection.execute(select(contacts).where(contacts.c.id == current))).first()
            if row is None:
                raise NotFound(f"no contact {contact_id!r}")
            if row.merged_into is None or row.merged_into in seen:
                return row
            seen.add(current)
            current = row.merged_into

    async def audit(self, connection: AsyncConnection, change: Change, *, actor: str, key: str) -> None:
        """Record a change in the audit log (inside the write's transaction)."""
        await connection.execute(
            insert(audit_log).values(
                id=new_id("au"),
                at=self._clock.now(),
                actor=actor,
                action=change.action,
                entity=change.entity,
                entity_id=change.entity_id,
                detail=change.detail,
                idempotency_key=key,
            )
        )

    async def add_activity(
        self,
        connection: AsyncConnection,
        contact_id: str,
        *,
        kind: str,
        summary: str,
        actor: str,
        reference: str | None = None,
    ) -> None:
        """Add a line to a contact's activity timeline."""
        await connection.execute(
            insert(activities).values(
                id=new_id("ac"),
                contact_id=contact_id,
                kind=kind,
                summary=summary,
                reference=reference,
                actor=actor,
                created_at=self._clock.now(),
            )
        )

    async def record(
        self, connection: AsyncConnection, change: Change, *, actor: str, key: str, contact_id: str | None
    ) -> None:
        """Audit a change and, when it concerns a contact, add it to their timeline."""
        await self.audit(connection, change, actor=actor, key=key)
        if contact_id is not None:
            await self.add_activity(
                connection,
                contact_id,
                kind=change.action,
                summary=change.detail,
                actor=actor,
                reference=f"{change.entity}:{change.entity_id}",
            )
