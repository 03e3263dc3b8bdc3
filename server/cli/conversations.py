"""`frontdesk conversations …`: see conversations, take one over, hand it back to the bot."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from server.assembly import open_frontdesk
from server.settings import Settings
from tools.conversations import Owner

app = typer.Typer(help="List conversations; take one over or hand it back to the bot.", no_args_is_help=True)
out = Console()


@app.command("list")
def list_conversations(limit: Annotated[int, typer.Option(help="How many, most recent first.")] = 30) -> None:
    """Show conversations with their owner, agent and whether they wait for staff."""

    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            table = Table("conversation", "owner", "agent", "waiting for staff", "language", "last message")
            for c in await desk.stores.conversations.list_conversations(limit=limit):
                last = c.last_message_at.isoformat(timespec="minutes") if c.last_message_at else ""
                owner = (
                    f"staff:{c.owner_staff}" if c.owner is Owner.STAFF and c.owner_staff else c.owner.value
                )
                table.add_row(
                    c.id,
                    owner,
                    c.active_agent or "",
                    "yes" if c.awaiting_approval else "",
                    c.language or "",
                    last,
                )
            out.print(table)

    asyncio.run(run())


def _set_owner(conversation_id: str, owner: Owner, staff: str) -> None:
    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            conversation = await desk.stores.conversations.set_owner(
                conversation_id, owner, staff_id=staff.removeprefix("staff:"), actor=staff
            )
            out.print(f"{conversation.id}: owner {conversation.owner.value}")

    asyncio.run(run())


@app.command()
def takeover(
    conversation_id: str, by: Annotated[str, typer.Option(help="Who takes it over.")] = "staff:cli"
) -> None:
    """Staff own the conversation: the bot stays silent until it is handed back."""
    _set_owner(conversation_id, Owner.STAFF, by)


@app.command()
def handback(
    conversation_id: str, by: Annotated[str, typer.Option(help="Who hands it back.")] = "staff:cli"
) -> None:
    """Hand the conversation back: the bot answers the next message, with the context it had."""
    _set_owner(conversation_id, Owner.BOT, by)
