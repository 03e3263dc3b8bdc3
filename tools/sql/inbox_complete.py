"""Completing a turn in the SQL inbox: its events, its replies' deliveries and what comes next, in one transaction.

Four statements at most, on the connection of one write transaction: the events are marked done
(or failed), one read says who owns the conversation, when its newest open event arrived and
whether earlier deliveries of it are still waiting, the deliveries are inserted together, and the
conversation's lease is dropped — or kept, when the worker sends the new deliveries itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.conversations import Owner
from tools.inbox import Claim, Completion, Delivery, DeliveryStatus, InboxStatus, NewDelivery
from tools.sql.inbox_claim import MAX_ATTEMPTS, OPEN
from tools.sql.inbox_rows import NEW_DELIVERY, aware, delivery_from_row, new_delivery_row
from tools.sql.schema import conversation_leases, conversations, inbox_events
from tools.sql.schema import deliveries as delivery_table

_DONE = (
    update(inbox_events)
    .where(inbox_events.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=InboxStatus.DONE.value, processed_at=bindparam("now"), error=None)
)
_FAILED = (
    update(inbox_events)
    .where(inbox_events.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=bindparam("status"), error=bindparam("error"))
)
_STATE = select(
    select(conversations.c.owner)
    .where(conversations.c.id == bindparam("key"))
    .scalar_subquery()
    .label("owner"),
    select(func.max(inbox_events.c.received_at))
    .where(inbox_events.c.conversation_key == bindparam("key"), inbox_events.c.status.in_(OPEN))
    .scalar_subquery()
    .label("last_open"),
    exists()
    .where(
        delivery_table.c.conversation_id == bindparam("key"),
        delivery_table.c.status == DeliveryStatus.PENDING.value,
    )
    .label("waiting"),
)
"""The conversation's owner, its newest open event and whether deliveries of it wait (the key is its id)."""
_RELEASE = delete(conversation_leases).where(
    conversation_leases.c.conversation_key == bindparam("key"),
    conversation_leases.c.owner == bindparam("owner"),
)
_STORED = select(delivery_table).where(delivery_table.c.message_id.in_(bindparam("ids", expanding=True)))


async def complete_turn(
    connection: AsyncConnection,
    claim: Claim,
    processed: Sequence[str],
    *,
    now: datetime,
    error: str | None,
    deliveries: Sequence[NewDelivery],
    keep_to_send_s: float | None,
) -> Completion:
    """Settle the claimed turn in the open transaction of `connection` (see `InboxStore.complete`)."""
    if processed and error is None:
        await connection.execute(_DONE, {"ids": list(processed), "now": now})
    elif processed:
        await _fail(connection, claim, processed, error or "")
    state = (await connection.execute(_STATE, {"key": claim.conversation_key})).one()
    taking = (
        keep_to_send_s is not None
        and not state.waiting
        and claim.until - now >= timedelta(seconds=keep_to_send_s)
    )
    queued = await _queue(connection, deliveries, now=now, due=claim.until if taking else now)
    taken = tuple(delivery for delivery, new in queued if new) if taking else ()
    if not taken:
        await connection.execute(_RELEASE, {"key": claim.conversation_key, "owner": claim.owner})
    return Completion(
        taken=taken,
        conversation_owner=Owner(state.owner) if state.owner is not None else None,
        last_open_at=None if state.last_open is None else aware(state.last_open),
    )


async def _fail(connection: AsyncConnection, claim: Claim, processed: Sequence[str], error: str) -> None:
    """Failed events go back to pending, or are dead-lettered once tried `MAX_ATTEMPTS` times."""
    by_status: dict[str, list[str]] = {}
    for event in claim.events:
        if event.id in processed:
            dead = event.attempts + 1 >= MAX_ATTEMPTS
            by_status.setdefault((InboxStatus.DEAD if dead else InboxStatus.PENDING).value, []).append(
                event.id
            )
    for status, ids in by_status.items():
        await connection.execute(_FAILED, {"ids": ids, "status": status, "error": error[:2000]})


async def _queue(
    connection: AsyncConnection, deliveries: Sequence[NewDelivery], *, now: datetime, due: datetime
) -> list[tuple[Delivery, bool]]:
    """Insert a delivery per message (first try at `due`); each stored delivery, in order, and whether it is new."""
    if not deliveries:
        return []
    rows = [new_delivery_row(delivery, now=now, due=due) for delivery in deliveries]
    inserted = await connection.execute(NEW_DELIVERY[connection.dialect.name], rows)
    stored: dict[str, tuple[Delivery, bool]] = {
        row.message_id: (delivery_from_row(row), True) for row in inserted.all()
    }
    earlier = [delivery.message_id for delivery in deliveries if delivery.message_id not in stored]
    if earlier:
        for row in (await connection.execute(_STORED, {"ids": earlier})).all():
            stored[row.message_id] = (delivery_from_row(row), False)
    return [stored[delivery.message_id] for delivery in deliveries]
