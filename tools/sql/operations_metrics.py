"""Operational numbers for monitoring, read at scrape time: one aggregate query per figure.

What Prometheus needs to tell whether the front desk works: conversations by state, messages by
channel and direction, the inbox and the outbox with their oldest waiting entries, approvals that
wait for staff, and staff alerts by status. Every query is a ``GROUP BY`` or a ``MIN``/``COUNT``
over an indexed column or a small table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.conversation_list import ConversationState
from tools.conversations import ApprovalStatus, Owner
from tools.inbox import DeliveryStatus, InboxStatus
from tools.sql.engine import reading
from tools.sql.schema import approvals, conversations, deliveries, inbox_events, messages, staff_alerts
from tools.staff_alerts import AlertStatus

WAITING_INBOX = (InboxStatus.PENDING.value, InboxStatus.PROCESSING.value)
"""Inbox events not handled yet: waiting for a worker, or being worked on."""


@dataclass(frozen=True)
class OperationsSnapshot:
    """The operational numbers at one moment."""

    conversations: Mapping[str, int]
    """Conversations by inbox state (``bot``, ``approval``, ``human``, ``closed``; every state present)."""
    messages: Mapping[tuple[str, str], int]
    """Stored messages by (channel, direction ``in`` / ``out``)."""
    inbox_events: Mapping[str, int]
    """Inbound events by status (every `InboxStatus` present)."""
    inbox_oldest_pending_s: float
    """Age of the oldest inbound event not handled yet; 0 when none waits."""
    deliveries: Mapping[tuple[str, str], int]
    """Outbound deliveries by (channel, status)."""
    outbox_oldest_pending_s: float
    """Age of the oldest delivery still to be sent; 0 when none waits."""
    approvals_pending: int
    """Actions waiting for a staff decision."""
    staff_alerts: Mapping[str, int]
    """Staff alerts by status (every `AlertStatus` present)."""


def _state(closed: bool, awaiting_approval: bool, owner: str) -> str:
    """The inbox state of a conversation with these flags (as `tools.conversation_list.state_of`)."""
    if closed:
        return ConversationState.CLOSED.value
    if awaiting_approval:
        return ConversationState.APPROVAL.value
    return ConversationState.HUMAN.value if owner == Owner.STAFF.value else ConversationState.BOT.value


async def _counts(connection: AsyncConnection, query: Select[Any]) -> dict[tuple[str, ...], int]:
    """Rows of (labels…, count) as a mapping from the labels to the count."""
    return {
        tuple(str(part) for part in row[:-1]): int(row[-1]) for row in (await connection.execute(query)).all()
    }


def _every(statuses: list[str], found: Mapping[tuple[str, ...], int]) -> dict[str, int]:
    """A count for every one of `statuses` (0 when absent) and for any other status found."""
    counts = dict.fromkeys(statuses, 0)
    counts.update({key[0]: value for key, value in found.items()})
    return counts


def _age(now: datetime, oldest: datetime | None) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


async def read_operations(engine: AsyncEngine, now: datetime) -> OperationsSnapshot:
    """The operational numbers as of `now`."""
    count = func.count()
    async with reading(engine) as connection:
        flags = (conversations.c.closed, conversations.c.awaiting_approval, conversations.c.owner)
        states: dict[tuple[str, ...], int] = {}
        for closed, awaiting, owner, found in (
            await connection.execute(select(*flags, count).group_by(*flags))
        ).all():
            state = (_state(bool(closed), bool(awaiting), str(owner)),)
            states[state] = states.get(state, 0) + int(found)
        sent = await _counts(
            connection,
            select(conversations.c.channel, messages.c.direction, count)
            .select_from(messages.join(conversations, conversations.c.id == messages.c.conversation_id))
            .group_by(conversations.c.channel, messages.c.direction),
        )
        inbox = await _counts(
            connection, select(inbox_events.c.status, count).group_by(inbox_events.c.status)
        )
        oldest_event = (
            await connection.execute(
                select(func.min(inbox_events.c.received_at)).where(inbox_events.c.status.in_(WAITING_INBOX))
            )
        ).scalar_one()
        outbox = await _counts(
            connection,
            select(deliveries.c.channel, deliveries.c.status, count).group_by(
                deliveries.c.channel, deliveries.c.status
            ),
        )
        oldest_delivery = (
            await connection.execute(
                select(func.min(deliveries.c.created_at)).where(
                    deliveries.c.status == DeliveryStatus.PENDING.value
                )
            )
        ).scalar_one()
        pending = (
            await connection.execute(select(count).where(approvals.c.status == ApprovalStatus.PENDING.value))
        ).scalar_one()
        alerts = await _counts(
            connection, select(staff_alerts.c.status, count).group_by(staff_alerts.c.status)
        )
    return OperationsSnapshot(
        conversations=_every([state.value for state in ConversationState], states),
        messages={(channel, direction): value for (channel, direction), value in sent.items()},
        inbox_events=_every([status.value for status in InboxStatus], inbox),
        inbox_oldest_pending_s=_age(now, oldest_event),
        deliveries={(channel, status): value for (channel, status), value in outbox.items()},
        outbox_oldest_pending_s=_age(now, oldest_delivery),
        approvals_pending=int(pending),
        staff_alerts=_every([status.value for status in AlertStatus], alerts),
    )
