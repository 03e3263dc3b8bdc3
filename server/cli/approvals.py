"""`frontdesk approvals …`: staff decide on paused actions from the command line."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from server.assembly import open_frontdesk
from server.settings import Settings
from tools.conversations import ApprovalStatus

app = typer.Typer(help="List and decide actions waiting for staff approval.", no_args_is_help=True)
out = Console()


@app.command("list")
def list_approvals(
    all_: Annotated[bool, typer.Option("--all", help="Include decided ones.")] = False,
) -> None:
    """Show approvals waiting for a decision."""

    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            approvals = await desk.stores.conversations.list_approvals(
                status=None if all_ else ApprovalStatus.PENDING
            )
            table = Table("id", "conversation", "kind", "status", "summary", "proposal")
            for a in approvals:
                table.add_row(
                    a.id,
                    a.conversation_id,
                    a.kind,
                    a.status.value,
                    a.summary,
                    json.dumps(dict(a.proposal), ensure_ascii=False),
                )
            out.print(table)

    asyncio.run(run())


def _decide(approval_id: str, action: str, by: str, note: str | None, changes: dict[str, str] | None) -> None:
    async def run() -> None:
        async with open_frontdesk(Settings(), knowledge="none") as desk:
            result = await desk.runner.decide(approval_id, action=action, by=by, note=note, changes=changes)
            for reply in result.replies:
                out.print(f"[dim]sent to {result.conversation_id}:[/dim] {reply.text}", markup=True)

    asyncio.run(run())


@app.command()
def approve(approval_id: str, by: Annotated[str, typer.Option(help="Who decides.")] = "staff:cli") -> None:
    """Approve as proposed; the conversation resumes at once."""
    _decide(approval_id, "approve", by, None, None)


@app.command()
def edit(
    approval_id: str,
    changes: Annotated[list[str], typer.Argument(help="key=value pairs, e.g. low=900000 high=1200000.")],
    by: Annotated[str, typer.Option(help="Who decides.")] = "staff:cli",
) -> None:
    """Approve with changed values (amounts, reply text)."""
    parsed = dict(item.split("=", 1) for item in changes if "=" in item)
    _decide(approval_id, "edit", by, None, parsed)


@app.command()
def reject(
    approval_id: str,
    reason: Annotated[str, typer.Argument(help="Told to the customer politely.")],
    by: Annotated[str, typer.Option(help="Who decides.")] = "staff:cli",
) -> None:
    """Reject with a reason the customer hears."""
    _decide(approval_id, "reject", by, reason, None)
