"""`frontdesk tickets …`: see support tickets and move them on; the customer is told of each change."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from server.assembly import open_frontdesk
from server.settings import Settings
from tools.ids import TicketId
from tools.tickets import TicketStatus

app = typer.Typer(help="List support tickets; assign them, start and resolve them.", no_args_is_help=True)
out = Console()


@app.command("list")
def list_tickets(
    status: Annotated[TicketStatus | None, typer.Option(help="Only tickets in this status.")] = None,
) -> None:
    """Show tickets, newest first, with category, status, priority, assignee and outcome."""

    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            table = Table(
                "ticket", "category", "status", "priority", "assignee", "outcome", "order", "subject"
            )
            for t in await desk.stores.tickets.list_tickets(status=status):
                table.add_row(
                    t.id,
                    t.category,
                    t.status.value,
                    t.priority.value,
                    t.assignee or "",
                    t.outcome or "",
                    t.order_number or "",
                    t.subject[:60],
                )
            out.print(table)

    asyncio.run(run())


@app.command()
def update(
    ticket_id: str,
    status: Annotated[TicketStatus | None, typer.Option(help="The new status.")] = None,
    assignee: Annotated[str | None, typer.Option(help="A staff id to assign it to.")] = None,
    note: Annotated[
        str | None, typer.Option(help="A sentence for the customer (with --status resolved).")
    ] = None,
    by: Annotated[str, typer.Option(help="Who makes the change.")] = "staff:cli",
) -> None:
    """Assign a ticket or change its status; the customer gets a message in their conversation."""
    if status is None and assignee is None:
        raise typer.BadParameter("give --status, --assignee or both")

    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            sent = await desk.runner.ticket_update(
                TicketId(ticket_id), by=by, status=status, assignee=assignee, note=note
            )
            ticket = await desk.stores.tickets.get_ticket(TicketId(ticket_id))
            out.print(f"{ticket.id}: {ticket.status.value}, assignee {ticket.assignee or '-'}")
            for message in sent:
                out.print(f"  → customer: {message.text}")

    asyncio.run(run())
