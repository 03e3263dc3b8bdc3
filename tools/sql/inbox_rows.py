"""Rows of the inbox and outbox tables as the inbox's records, and the statements both of its modules share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from tools.ids import new_id
from tools.inbox import Delivery, DeliveryStatus, InboxEvent, InboxStatus, NewDelivery
from tools.sql.schema import deliveries as delivery_table

NEW_DELIVERY = {
    name: dialect.insert(delivery_table)
    .on_conflict_do_nothing(index_elements=[delivery_table.c.message_id])
    .returning(*delivery_table.c)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
"""A delivery, unless the message has one (then no row comes back)."""


def event_from_row(row: Row[Any]) -> InboxEvent:
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


def delivery_from_row(row: Row[Any]) -> Delivery:
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
        parts_sent=row.parts_sent,
        details=dict(row.details or {}),
        provider_status=row.provider_status,
    )


def aware(value: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite (a naive string comes back): read it as UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def new_delivery_row(delivery: NewDelivery, *, now: datetime, due: datetime) -> dict[str, Any]:
    """The row of a new delivery, first tried at `due`."""
    return {
        "id": new_id("dl"),
        "message_id": delivery.message_id,
        "conversation_id": delivery.conversation_id,
        "channel": delivery.channel,
        "chat_id": delivery.chat_id,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": due,
        "parts_sent": 0,
        "details": dict(delivery.details),
        "created_at": now,
        "updated_at": now,
        "provider_message_id": None,
        "last_error": None,
        "provider_status": None,
    }
