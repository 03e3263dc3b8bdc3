"""`frontdesk tokens …`: the API tokens the business's other systems send events with.

``frontdesk tokens add crm`` makes a token and prints its secret once; the calling system sends
it as ``Authorization: Bearer <secret>`` with every ``POST /api/events``. A token is revoked by
its name, which can then be given to a new token. Changes are audited with the actor ``cli``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from server.cli._stores import fail, with_stores
from tools.api_tokens import ApiTokenStore, normalize_token_name
from tools.errors import FrontdeskError

app = typer.Typer(
    help="Add, list and revoke the API tokens other systems send business events with.",
    no_args_is_help=True,
)
out = Console(highlight=False)

ACTOR = "cli"
"""Who the audit log says made the changes."""

T = TypeVar("T")


def _with_tokens(work: Callable[[ApiTokenStore], Awaitable[T]]) -> T:
    """Run `work` on the configured database's api tokens; errors end the command with code 1."""
    return with_stores(lambda stores: work(stores.api_tokens))


def _moment(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


@app.command()
def add(name: str) -> None:
    """Make a token for another system (e.g. crm, shop) and print its secret once."""
    try:
        name = normalize_token_name(name)
    except FrontdeskError as error:
        raise fail(str(error)) from None
    secret, token = _with_tokens(lambda tokens: tokens.create_token(name, actor=ACTOR))
    out.print(f"added token {token.name}:", markup=False)
    out.print(secret, markup=False, soft_wrap=True)
    out.print(
        "Copy it now: it will not be shown again. The system sends it with every POST /api/events "
        "as the header 'Authorization: Bearer <token>'.",
        markup=False,
        soft_wrap=True,
    )


@app.command("list")
def list_tokens() -> None:
    """Show every token, revoked ones too: name, created, last used, revoked."""
    tokens = _with_tokens(lambda store: store.list_tokens())
    table = Table("name", "created", "last used", "revoked")
    for token in tokens:
        table.add_row(
            token.name, _moment(token.created_at), _moment(token.last_used_at), _moment(token.revoked_at)
        )
    out.print(table)
    if not tokens:
        out.print("no API tokens yet: add one with 'frontdesk tokens add NAME'", markup=False)


@app.command()
def revoke(name: str) -> None:
    """Stop the active token of NAME from working; the name can then be given to a new token."""
    token = _with_tokens(lambda tokens: tokens.revoke(name, actor=ACTOR))
    out.print(f"token {token.name} is revoked", markup=False)
