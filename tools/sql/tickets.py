"""Tickets on SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.errors import NotFound
from tools.ids import ContactId, TicketId, new_id
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import tickets
from tools.tickets import NewTicket, Ticket, TicketPriority, TicketStatus


def _ticket(row: Row[Any]) -> Ticket:
    return Ticket(
        id=TicketId(row.id),
        contact_id=ContactId(row.contact_id),
        category=row.category,
        subject=row.subject,
        context=row.context,
        priority=TicketPriority(row.priority),
        status=TicketStatus(row.status),
        assignee=row.assignee,
        conversation_id=row.conversation_id,
        order_number=row.order_number,
        outcome=row.outcome,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlTickets(SqlBase):
    """`TicketStore` on SQLite or PostgreSQL."""

    async def open_ticket(self, ticket: NewTicket, *, key: str, actor: str = "system") -> Ticket:
        """Open a ticket."""

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, ticket.contact_id)
            now = self._clock.now()
            ticket_id = new_id("tk")
            await connection.execute(
                insert(tickets).values(
                    id=ticket_id,
                    contact_id=contact.id,
                    category=ticket.category,
                    subject=ticket.subject,
                    context=ticket.context,
                    priority=ticket.priority.value,
                    status=TicketStatus.NEW.value,
                    conversation_id=ticket.conversation_id,
                    order_number=ticket.order_number,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self.record(
                connection,
                Change("ticket.opened", "ticket", ticket_id, f"{ticket.category}: {ticket.subject}"),
                actor=actor,
                key=key,
                contact_id=contact.id,
            )
            return ticket_id

        return await self.write(
            key=key,
            operation="open_ticket",
            request=fingerprint(ticket),
            work=work,
            load=lambda tid: self.get_ticket(TicketId(tid)),
        )

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

        async def work(connection: AsyncConnection) -> str:
            row = await self._row(connection, ticket_id, lock=True)
            values: dict[str, object] = {}
            if status is not None:
                values["status"] = status.value
            if assignee is not None:
                values["assignee"] = assignee
                if status is None and row.status == TicketStatus.NEW.value:
                    values["status"] = TicketStatus.ASSIGNED.value
            if priority is not None:
                values["priority"] = priority.value
            if outcome is not None:
                values["outcome"] = outcome
            await connection.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(**values, updated_at=self._clock.now())
            )
            detail = ", ".join(f"{name} {value}" for name, value in sorted(values.items()))
            await self.record(
                connection,
                Change("ticket.updated", "ticket", ticket_id, detail or "no change"),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(ticket_id)

        return await self.write(
            key=key,
            operation="update_ticket",
            request=fingerprint(ticket_id, status, assignee, priority, outcome),
            work=work,
            load=lambda tid: self.get_ticket(TicketId(tid)),
        )

    async def _row(self, connection: AsyncConnection, ticket_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(tickets).where(tickets.c.id == ticket_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no ticket {ticket_id!r}")
        return row

    async def get_ticket(self, ticket_id: TicketId) -> Ticket:
        """Return a ticket (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _ticket(await self._row(connection, ticket_id))

    async def list_tickets(
        self, *, contact_id: ContactId | None = None, status: TicketStatus | None = None
    ) -> list[Ticket]:
        """Tickets, newest first."""
        query = select(tickets).order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
        async with reading(self._engine) as connection:
            if contact_id is not None:
                query = query.where(tickets.c.contact_id == (await self._live_row(connection, contact_id)).id)
            if status is not None:
                query = query.where(tickets.c.status == status.value)
            return [_ticket(row) for row in (await connection.execute(query)).all()]
