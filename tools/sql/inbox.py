"""The inbox and outbox on SQL: conversation leases make every conversation's turns run in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import NotFound
from tools.ids import new_id
from tools.inbox import Claim, Delivery, DeliveryStatus, InboxEvent, InboxStatus, NewInboxEvent
from tools.privacy import mask_secrets
from tools.sql.engine import writing
from tools.sql.schema import conversation_leases, inbox_events
from tools.sql.schema import deliveries as delivery_table

MAX_ATTEMPTS = 5
"""An event that failed this many times is dead-lettered instead of tried again."""
_CANDIDATES = 20
_OPEN = (InboxStatus.PENDING.value, InboxStatus.PROCESSING.value)


def _event(row: Row[Any]) -> InboxEvent:
    return InboxEvent(
        id=row.id,
        channel=row.channel,
        provider_id=row.provider_id,
        chat_id=row.chat_id,
        conversation_key=row.conversation_key,
        sender_id=row.sender_id,
        sender_name=row.sender_name,
        text=row.text,
        kind=row.kind,
        extra=dict(row.extra or {}),
        received_at=row.received_at,
        status=InboxStatus(row.status),
        attempts=row.attempts,
        lease_owner=row.lease_owner,
        error=row.error,
        batch=row.batch,
    )


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        chat_id=row.chat_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        provider_message_id=row.provider_message_id,
        last_error=row.last_error,
        created_at=row.created_at,
    )


class SqlInbox:
    """`InboxStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def _insert_ignore(self, values: dict[str, Any]) -> Any:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return (
            dialect.insert(conversation_leases)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(conversation_leases.c.conversation_key)
        )

    async def accept(self, event: NewInboxEvent) -> tuple[InboxEvent, bool]:
        """Store an event, its secrets masked; the flag is False for a redelivery (same channel and provider id)."""
        lookup = select(inbox_events).where(
            inbox_events.c.channel == event.channel, inbox_events.c.provider_id == event.provider_id
        )
        values = {
            "id": new_id("in"),
            "channel": event.channel,
            "provider_id": event.provider_id,
            "chat_id": event.chat_id,
            "conversation_key": event.conversation_key,
            "sender_id": event.sender_id,
            "sender_name": event.sender_name,
            "text": mask_secrets(event.text).text,
            "kind": event.kind,
            "extra": dict(event.extra),
            "received_at": event.received_at,
            "status": InboxStatus.PENDING.value,
            "attempts": 0,
        }
        async with writing(self._engine) as connection:
            try:
                async with connection.begin():
                    await connection.execute(insert(inbox_events).values(**values))
                    row = (await connection.execute(lookup)).one()
                    return _event(row), True
            except IntegrityError:
                async with connection.begin():
                    return _event((await connection.execute(lookup)).one()), False

    async def claim(self, owner: str, *, lease_s: float, burst_s: float = 0.0) -> Claim | None:
        """Lease the conversation whose oldest open event is oldest, and take its open events."""
        now = self._clock.now()
        until = now + timedelta(seconds=lease_s)
        async with writing(self._engine) as connection, connection.begin():
            candidates = (
                await connection.execute(
                    select(
                        inbox_events.c.conversation_key,
                        func.min(inbox_events.c.received_at).label("first"),
                        func.max(inbox_events.c.received_at).label("last"),
                    )
                    .where(inbox_events.c.status.in_(_OPEN))
                    .group_by(inbox_events.c.conversation_key)
                    .order_by(func.min(inbox_events.c.received_at))
                    .limit(_CANDIDATES)
                )
            ).all()
            for candidate in candidates:
                last: datetime = _aware(candidate.last)
                if burst_s and now - last < timedelta(seconds=burst_s):
                    continue
                key = candidate.conversation_key
                if not await self._lease(connection, key, owner, now, until):
                    continue
                batch, events = await self._take(connection, key, owner)
                if events:
                    return Claim(key, owner, until, tuple(events), batch)
                await connection.execute(
                    delete(conversation_leases).where(conversation_leases.c.conversation_key == key)
                )
        return None

    async def _lease(
        self, connection: AsyncConnection, key: str, owner: str, now: datetime, until: datetime
    ) -> bool:
        taken = await connection.execute(
            update(conversation_leases)
            .where(
                conversation_leases.c.conversation_key == key,
                or_(conversation_leases.c.until <= now, conversation_leases.c.owner == owner),
            )
            .values(owner=owner, until=until)
        )
        if taken.rowcount == 1:
            return True
        created = await connection.execute(
            self._insert_ignore({"conversation_key": key, "owner": owner, "until": until})
        )
        return created.first() is not None

    async def _take(self, connection: AsyncConnection, key: str, owner: str) -> tuple[str, list[InboxEvent]]:
        """The conversation's next turn: a batch a dead worker started, else every open event as a new batch."""
        rows = (
            await connection.execute(
                select(inbox_events)
                .where(inbox_events.c.conversation_key == key, inbox_events.c.status.in_(_OPEN))
                .order_by(inbox_events.c.received_at, inbox_events.c.id)
            )
        ).all()
        started = next((row.batch for row in rows if row.batch), None)
        batch = started or new_id("bt")
        rows = [row for row in rows if row.batch == started] if started else rows
        taken: list[InboxEvent] = []
        for row in rows:
            if row.attempts >= MAX_ATTEMPTS:
                await connection.execute(
                    update(inbox_events)
                    .where(inbox_events.c.id == row.id)
                    .values(status=InboxStatus.DEAD.value, error=row.error or "too many attempts")
                )
                continue
            await connection.execute(
                update(inbox_events)
                .where(inbox_events.c.id == row.id)
                .values(
                    status=InboxStatus.PROCESSING.value,
                    lease_owner=owner,
                    attempts=row.attempts + 1,
                    batch=batch,
                )
            )
            taken.append(_event(row))
        return batch, taken

    async def complete(self, claim: Claim, processed: Sequence[str], *, error: str | None = None) -> None:
        """Mark events done (or failed: pending again, dead after `MAX_ATTEMPTS`) and release the lease."""
        now = self._clock.now()
        async with writing(self._engine) as connection, connection.begin():
            if processed and error is None:
                await connection.execute(
                    update(inbox_events)
                    .where(inbox_events.c.id.in_(list(processed)))
                    .values(status=InboxStatus.DONE.value, processed_at=now, error=None)
                )
            elif processed:
                for event in claim.events:
                    if event.id not in processed:
                        continue
                    status = InboxStatus.DEAD if event.attempts + 1 >= MAX_ATTEMPTS else InboxStatus.PENDING
                    await connection.execute(
                        update(inbox_events)
                        .where(inbox_events.c.id == event.id)
                        .values(status=status.value, error=(error or "")[:2000])
                    )
            await connection.execute(
                delete(conversation_leases).where(
                    conversation_leases.c.conversation_key == claim.conversation_key,
                    conversation_leases.c.owner == claim.owner,
                )
            )

    async def events(self, *, status: InboxStatus | None = None) -> list[InboxEvent]:
        """Events, oldest first."""
        query = select(inbox_events).order_by(inbox_events.c.received_at, inbox_events.c.id)
        if status is not None:
            query = query.where(inbox_events.c.status == status.value)
        async with self._engine.connect() as connection:
            return [_event(row) for row in (await connection.execute(query)).all()]

    async def enqueue_delivery(
        self, *, message_id: str, conversation_id: str, channel: str, chat_id: str
    ) -> Delivery:
        """The delivery of a recorded reply (once per message)."""
        now = self._clock.now()
        lookup = select(delivery_table).where(delivery_table.c.message_id == message_id)
        async with writing(self._engine) as connection:
            try:
                async with connection.begin():
                    await connection.execute(
                        insert(delivery_table).values(
                            id=new_id("dl"),
                            message_id=message_id,
                            conversation_id=conversation_id,
                            channel=channel,
                            chat_id=chat_id,
                            status=DeliveryStatus.PENDING.value,
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    return _delivery((await connection.execute(lookup)).one())
            except IntegrityError:
                async with connection.begin():
                    return _delivery((await connection.execute(lookup)).one())

    async def due_deliveries(self, *, limit: int = 50) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        query = (
            select(delivery_table)
            .where(
                delivery_table.c.status == DeliveryStatus.PENDING.value,
                delivery_table.c.next_attempt_at <= self._clock.now(),
            )
            .order_by(delivery_table.c.next_attempt_at, delivery_table.c.created_at)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [_delivery(row) for row in (await connection.execute(query)).all()]

    async def _change(self, delivery_id: str, **values: Any) -> Delivery:
        async with writing(self._engine) as connection, connection.begin():
            changed = await connection.execute(
                update(delivery_table)
                .where(delivery_table.c.id == delivery_id)
                .values(updated_at=self._clock.now(), **values)
            )
            if changed.rowcount != 1:
                raise NotFound(f"no delivery {delivery_id!r}")
            row = (
                await connection.execute(select(delivery_table).where(delivery_table.c.id == delivery_id))
            ).one()
            return _delivery(row)

    async def delivered(self, delivery_id: str, *, provider_message_id: str | None) -> Delivery:
        """The channel accepted the message."""
        return await self._change(
            delivery_id,
            status=DeliveryStatus.SENT.value,
            provider_message_id=provider_message_id,
            attempts=delivery_table.c.attempts + 1,
            last_error=None,
        )

    async def retry_delivery(self, delivery_id: str, *, after_s: float, error: str) -> Delivery:
        """Try again in `after_s` seconds."""
        return await self._change(
            delivery_id,
            next_attempt_at=self._clock.now() + timedelta(seconds=after_s),
            attempts=delivery_table.c.attempts + 1,
            last_error=error[:2000],
        )

    async def dead_letter(self, delivery_id: str, *, error: str) -> Delivery:
        """Give up on a delivery; staff see it."""
        return await self._change(
            delivery_id,
            status=DeliveryStatus.DEAD.value,
            attempts=delivery_table.c.attempts + 1,
            last_error=error[:2000],
        )

    async def deliveries(self, *, status: DeliveryStatus | None = None) -> list[Delivery]:
        """Deliveries, oldest first."""
        query = select(delivery_table).order_by(delivery_table.c.created_at, delivery_table.c.id)
        if status is not None:
            query = query.where(delivery_table.c.status == status.value)
        async with self._engine.connect() as connection:
            return [_delivery(row) for row in (await connection.execute(query)).all()]


def _aware(value: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite (a naive string comes back): read it as UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
