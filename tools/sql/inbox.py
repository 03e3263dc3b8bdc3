"""The inbox and outbox on SQL: conversation leases make every conversation's turns run in order."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import NotFound
from tools.ids import new_id
from tools.inbox import (
    Claim,
    Completion,
    Delivery,
    DeliveryStatus,
    InboxEvent,
    InboxStatus,
    NewDelivery,
    NewInboxEvent,
)
from tools.privacy import mask_secrets
from tools.sql import inbox_claim
from tools.sql.engine import reading, single_write, writing
from tools.sql.inbox_batch import AcceptBatcher
from tools.sql.inbox_claim import OPEN
from tools.sql.inbox_complete import complete_turn
from tools.sql.inbox_insert import insert_new_events
from tools.sql.inbox_rows import NEW_DELIVERY, aware, delivery_from_row, event_from_row, new_delivery_row
from tools.sql.schema import deliveries as delivery_table
from tools.sql.schema import inbox_events

log = logging.getLogger("frontdesk.inbox")

_OPEN = OPEN
_DELIVERY_OF = select(delivery_table).where(delivery_table.c.message_id == bindparam("message_id"))
_LAST_OPEN = select(func.max(inbox_events.c.received_at)).where(
    inbox_events.c.conversation_key == bindparam("key"), inbox_events.c.status.in_(OPEN)
)
_STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
"""Provider statuses arrive out of order; a later stage is never replaced by an earlier one."""


_LOOKUP = select(inbox_events).where(
    inbox_events.c.channel == bindparam("channel"), inbox_events.c.provider_id == bindparam("provider_id")
)


class SqlInbox:
    """`InboxStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._batcher = AcceptBatcher(self._insert_many)

    async def accept(self, event: NewInboxEvent) -> tuple[InboxEvent, bool]:
        """Store an event, its secrets masked; the flag is False for a redelivery (same channel and provider id).

        The webhook's hot path: one statement (insert, or nothing on a redelivery), compiled once,
        committed together with the events of concurrent webhooks (`AcceptBatcher`).
        """
        stored = InboxEvent(
            id=new_id("in"),
            channel=event.channel,
            provider_id=event.provider_id,
            chat_id=event.chat_id,
            conversation_key=event.conversation_key,
            sender_id=event.sender_id,
            sender_name=event.sender_name,
            text=mask_secrets(event.text).text,
            kind=event.kind,
            extra=dict(event.extra),
            received_at=event.received_at,
            status=InboxStatus.PENDING,
            attempts=0,
            lease_owner=None,
            error=None,
            batch=None,
        )
        values = {
            "id": stored.id,
            "channel": stored.channel,
            "provider_id": stored.provider_id,
            "chat_id": stored.chat_id,
            "conversation_key": stored.conversation_key,
            "sender_id": stored.sender_id,
            "sender_name": stored.sender_name,
            "text": stored.text,
            "kind": stored.kind,
            "extra": dict(stored.extra),
            "received_at": stored.received_at,
            "status": stored.status.value,
            "attempts": 0,
        }
        if await self._batcher.store(values):
            return stored, True
        async with self._engine.connect() as connection:
            key = {"channel": event.channel, "provider_id": event.provider_id}
            return event_from_row((await connection.execute(_LOOKUP, key)).one()), False

    async def _insert_many(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """Store `rows` in one transaction; the ids of those that were new (not redeliveries)."""
        async with single_write(self._engine) as connection:
            return await insert_new_events(connection, rows)

    async def claim(
        self, owner: str, *, lease_s: float, burst_s: float = 0.0, conversation_key: str | None = None
    ) -> Claim | None:
        """Lease the conversation whose oldest open event is oldest (or `conversation_key`), and take its open events."""
        now = self._clock.now()
        until = now + timedelta(seconds=lease_s)
        quiet = timedelta(seconds=burst_s)
        async with writing(self._engine) as connection, connection.begin() as transaction:
            if conversation_key is not None:
                if not await inbox_claim.lease(connection, conversation_key, owner, now, until):
                    return None
                rows = await inbox_claim.open_rows(connection, conversation_key)
                if rows and burst_s and now - max(aware(row.received_at) for row in rows) < quiet:
                    await transaction.rollback()
                    return None
                return await self._take(connection, conversation_key, rows, owner, until)
            for candidate in await inbox_claim.candidates(connection):
                if burst_s and now - aware(candidate.last) < quiet:
                    continue
                key = candidate.conversation_key
                if not await inbox_claim.lease(connection, key, owner, now, until):
                    continue
                claim = await self._take(
                    connection, key, await inbox_claim.open_rows(connection, key), owner, until
                )
                if claim is not None:
                    return claim
        return None

    async def _take(
        self, connection: AsyncConnection, key: str, rows: Sequence[Row[Any]], owner: str, until: datetime
    ) -> Claim | None:
        """Take the leased conversation's next turn from its open `rows`; without one, drop the lease."""
        batch, taken = await inbox_claim.take(connection, rows, owner)
        if taken:
            return Claim(key, owner, until, tuple(event_from_row(row) for row in taken), batch)
        await inbox_claim.release(connection, key)
        return None

    async def last_open_at(self, conversation_key: str) -> datetime | None:
        """When the conversation's newest open (pending or processing) event arrived; None when none is open."""
        async with reading(self._engine) as connection:
            last = (await connection.execute(_LAST_OPEN, {"key": conversation_key})).scalar()
        return None if last is None else aware(last)

    async def complete(
        self,
        claim: Claim,
        processed: Sequence[str],
        *,
        error: str | None = None,
        deliveries: Sequence[NewDelivery] = (),
        keep_to_send_s: float | None = None,
    ) -> Completion:
        """Settle a turn: its events, its replies' deliveries and the lease, in one transaction (`inbox_complete`)."""
        async with writing(self._engine) as connection, connection.begin():
            return await complete_turn(
                connection,
                claim,
                processed,
                now=self._clock.now(),
                error=error,
                deliveries=deliveries if error is None else (),
                keep_to_send_s=keep_to_send_s,
            )

    async def events(
        self, *, status: InboxStatus | None = None, conversation_key: str | None = None
    ) -> list[InboxEvent]:
        """Events matching every filter given, oldest first."""
        query = select(inbox_events).order_by(inbox_events.c.received_at, inbox_events.c.id)
        if status is not None:
            query = query.where(inbox_events.c.status == status.value)
        if conversation_key is not None:
            query = query.where(inbox_events.c.conversation_key == conversation_key)
        async with reading(self._engine) as connection:
            return [event_from_row(row) for row in (await connection.execute(query)).all()]

    async def enqueue_delivery(
        self,
        *,
        message_id: str,
        conversation_id: str,
        channel: str,
        chat_id: str,
        details: Mapping[str, str] | None = None,
    ) -> Delivery:
        """The delivery of a recorded reply (once per message)."""
        now = self._clock.now()
        values = new_delivery_row(
            NewDelivery(message_id, conversation_id, channel, chat_id, dict(details or {})), now=now, due=now
        )
        async with single_write(self._engine) as connection:
            row = (await connection.execute(NEW_DELIVERY[self._engine.dialect.name], values)).first()
            if row is None:
                row = (await connection.execute(_DELIVERY_OF, {"message_id": message_id})).one()
        return delivery_from_row(row)

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
        async with reading(self._engine) as connection:
            return [delivery_from_row(row) for row in (await connection.execute(query)).all()]

    async def claim_deliveries(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Delivery]:
        """Take due deliveries, oldest first, moving their next attempt `lease_s` ahead in one statement.

        PostgreSQL locks the due rows with ``FOR UPDATE SKIP LOCKED``, so concurrent outbox workers
        take disjoint sets; SQLite's writers are serialized (``BEGIN IMMEDIATE``). The `owner` is
        only logged: a delivery whose taker died is simply due again when the lease runs out.
        """
        now = self._clock.now()
        due = (
            select(delivery_table.c.id)
            .where(
                delivery_table.c.status == DeliveryStatus.PENDING.value,
                delivery_table.c.next_attempt_at <= now,
            )
            .order_by(delivery_table.c.next_attempt_at, delivery_table.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        taken = (
            update(delivery_table)
            .where(delivery_table.c.id.in_(due.scalar_subquery()))
            .values(next_attempt_at=now + timedelta(seconds=lease_s), updated_at=now)
            .returning(*delivery_table.c)
        )
        async with single_write(self._engine) as connection:
            rows = (await connection.execute(taken)).all()
        if rows:
            log.debug("%s took %d deliveries for %.0f s", owner, len(rows), lease_s)
        return sorted((delivery_from_row(row) for row in rows), key=lambda d: (d.created_at, d.id))

    async def keep_delivery(self, delivery_id: str, held_until: datetime, *, for_s: float) -> datetime | None:
        """See `InboxStore.keep_delivery`: a compare-and-set on the delivery's next attempt."""
        now = self._clock.now()
        if held_until - now >= timedelta(seconds=for_s):
            return held_until
        until = now + timedelta(seconds=for_s)
        async with single_write(self._engine) as connection:
            kept = (
                await connection.execute(
                    update(delivery_table)
                    .where(
                        delivery_table.c.id == delivery_id,
                        delivery_table.c.status == DeliveryStatus.PENDING.value,
                        delivery_table.c.next_attempt_at == held_until,
                    )
                    .values(next_attempt_at=until, updated_at=now)
                    .returning(delivery_table.c.id)
                )
            ).first()
        return until if kept is not None else None

    async def _change(self, delivery_id: str, **values: Any) -> Delivery:
        """Change a delivery with one statement that returns the changed row."""
        async with single_write(self._engine) as connection:
            row = (
                await connection.execute(
                    update(delivery_table)
                    .where(delivery_table.c.id == delivery_id)
                    .values(updated_at=self._clock.now(), **values)
                    .returning(*delivery_table.c)
                )
            ).first()
        if row is None:
            raise NotFound(f"no delivery {delivery_id!r}")
        return delivery_from_row(row)

    async def delivered(self, delivery_id: str, *, provider_message_id: str | None) -> Delivery:
        """The channel accepted the message."""
        return await self._change(
            delivery_id,
            status=DeliveryStatus.SENT.value,
            provider_message_id=provider_message_id,
            attempts=delivery_table.c.attempts + 1,
            last_error=None,
        )

    async def parts_delivered(
        self, delivery_id: str, *, parts_sent: int, provider_message_id: str | None
    ) -> Delivery:
        """The provider accepted the first `parts_sent` parts (a retry resumes after them)."""
        values: dict[str, Any] = {"parts_sent": parts_sent}
        if provider_message_id is not None:
            values["provider_message_id"] = func.coalesce(
                delivery_table.c.provider_message_id, provider_message_id
            )
        return await self._change(delivery_id, **values)

    async def provider_reported(
        self, provider_message_id: str, *, status: str, error: str | None = None
    ) -> Delivery | None:
        """Record the provider's status; a ``failed`` report dead-letters the delivery (staff see it)."""
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(
                    select(delivery_table.c.id, delivery_table.c.status, delivery_table.c.provider_status)
                    .where(delivery_table.c.provider_message_id == provider_message_id)
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        if status == "failed":
            return await self._change(
                row.id,
                status=DeliveryStatus.DEAD.value,
                provider_status=status,
                last_error=(error or "the provider reported the message failed")[:2000],
            )
        if _STATUS_ORDER.get(status, 0) <= _STATUS_ORDER.get(row.provider_status or "", 0):
            return await self._change(row.id)
        return await self._change(row.id, provider_status=status)

    async def retry_delivery(self, delivery_id: str, *, after_s: float, error: str) -> Delivery:
        """Try again in `after_s` seconds."""
        return await self._change(
            delivery_id,
            next_attempt_at=self._clock.now() + timedelta(seconds=after_s),
            attempts=delivery_table.c.attempts + 1,
            last_error=error[:2000],
        )

    async def defer_delivery(self, delivery_id: str, *, after_s: float, reason: str) -> Delivery:
        """Try again in `after_s` seconds without counting a failed attempt (a send limit was not free yet)."""
        return await self._change(
            delivery_id,
            next_attempt_at=self._clock.now() + timedelta(seconds=after_s),
            last_error=reason[:2000],
        )

    async def dead_letter(self, delivery_id: str, *, error: str) -> Delivery:
        """Give up on a delivery; staff see it."""
        return await self._change(
            delivery_id,
            status=DeliveryStatus.DEAD.value,
            attempts=delivery_table.c.attempts + 1,
            last_error=error[:2000],
        )

    async def withhold(self, delivery_id: str, *, reason: str) -> Delivery:
        """Do not send a delivery after all (the conversation changed hands); never retried."""
        return await self._change(delivery_id, status=DeliveryStatus.WITHHELD.value, last_error=reason[:2000])

    async def hold_conversation(self, conversation_key: str, owner: str, *, lease_s: float) -> bool:
        """Take the conversation's lease unless another owner holds it; True when taken."""
        now = self._clock.now()
        async with writing(self._engine) as connection, connection.begin():
            return await inbox_claim.lease(
                connection, conversation_key, owner, now, now + timedelta(seconds=lease_s)
            )

    async def release_conversation(self, conversation_key: str, owner: str) -> None:
        """Give back a lease taken with `hold_conversation` (only if `owner` still holds it)."""
        async with single_write(self._engine) as connection:
            await inbox_claim.release(connection, conversation_key, owner=owner)

    async def deliveries(self, *, status: DeliveryStatus | None = None) -> list[Delivery]:
        """Deliveries, oldest first."""
        query = select(delivery_table).order_by(delivery_table.c.created_at, delivery_table.c.id)
        if status is not None:
            query = query.where(delivery_table.c.status == status.value)
        async with reading(self._engine) as connection:
            return [delivery_from_row(row) for row in (await connection.execute(query)).all()]
