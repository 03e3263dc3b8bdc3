"""Support tickets: the hard cases handed to people, with their context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import ContactId, TicketId


class TicketStatus(StrEnum):
    """The life of a ticket."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketPriority(StrEnum):
    """How urgent a ticket is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True)
class NewTicket:
    """What is needed to open a ticket."""

    contact_id: ContactId
    category: str
    """order_status, delivery, return, warranty, technical, account, billing, change_order, escalation…"""
    subject: str
    context: str
    """What the agent collected, and the transcript excerpt."""
    priority: TicketPriority = TicketPriority.NORMAL
    conversation_id: str | None = None
    order_number: str | None = None


@dataclass(frozen=True)
class Ticket:
    """A support case."""

    id: TicketId
    contact_id: ContactId
    category: str
    subject: str
    context: str
    priority: TicketPriority
    status: TicketStatus
    assignee: str | None
    conversation_id: str | None
    order_number: str | None
    outcome: str | None
    """How it ended: ``solved_by_bot``, ``escalated``, ``resolved_by_staff``…"""
    created_at: datetime
    updated_at: datetime


class TicketStore(Protocol):
    """Tickets."""

    async def open_ticket(self, ticket: NewTicket, *, key: str, actor: str = "system") -> Ticket:
        """Open a ticket."""
        ...

    async def update_ticket(
        self,
        ticket_id: TicketId,
        *,
        key: str,
        actor: str = "system",
        status: TicketStatus | None = None,
        assignee: str | None = None,
        priority: TicketPriority | None = None,
        outcome: str | None = None,
    ) -> Ticket:
        """Change a ticket's status, assignee, priority or outcome."""
        ...

    async def get_ticket(self, ticket_id: TicketId) -> Ticket:
        """Return a ticket (NotFound if none)."""
        ...

    async def list_tickets(
        self, *, contact_id: ContactId | None = None, status: TicketStatus | None = None
    ) -> list[Ticket]:
        """Tickets, newest first."""
        ...
