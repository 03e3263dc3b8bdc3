"""The `frontdesk` command line (Typer + rich)."""

from __future__ import annotations

import typer

from server.cli import (
    approvals,
    bench,
    chat,
    conversations,
    db,
    kb,
    nlu,
    playbook,
    serve,
    staff,
    tickets,
    tokens,
    worker,
)
from server.cli import eval as eval_

app = typer.Typer(
    name="frontdesk",
    help="Frontdesk: a self-hosted AI front desk for small and mid-size businesses.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(playbook.app, name="playbook")
app.add_typer(db.app, name="db")
app.add_typer(approvals.app, name="approvals")
app.add_typer(bench.app, name="bench")
app.add_typer(conversations.app, name="conversations")
app.add_typer(eval_.app, name="eval")
app.add_typer(tickets.app, name="tickets")
app.add_typer(kb.app, name="kb")
app.add_typer(staff.app, name="staff")
app.add_typer(tokens.app, name="tokens")
app.command("chat")(chat.chat)
app.command("nlu")(nlu.nlu)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)


def main() -> None:
    """Run the command line."""
    app()


__all__ = ["app", "main"]
