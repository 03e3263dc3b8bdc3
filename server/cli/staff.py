"""`frontdesk staff …`: the accounts people sign in to the staff console with.

The first admin is made here (``frontdesk staff add anna --name Anna --role admin``); so is
a reset when someone is locked out or has forgotten their password. Changes are audited with
the actor ``cli``. Passwords are asked twice with hidden input, or read from the first line of
standard input with ``--password-stdin`` (for scripts).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from server.cli._stores import fail, with_stores
from tools.clock import SystemClock
from tools.errors import FrontdeskError, NotFound
from tools.passwords import check_password_strength
from tools.staff_accounts import StaffAccount, StaffAccountStore, StaffRole, normalize_login

app = typer.Typer(
    help="Add staff accounts for the console; change roles and passwords, disable, unlock.",
    no_args_is_help=True,
)
out = Console(highlight=False)

ACTOR = "cli"
"""Who the audit log says made the changes."""

T = TypeVar("T")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]


def _with_accounts(work: Callable[[StaffAccountStore], Awaitable[T]]) -> T:
    """Run `work` on the configured database's staff accounts; errors end the command with code 1."""
    return with_stores(lambda stores: work(stores.staff_accounts))


def _password(from_stdin: bool) -> str:
    """A new password, asked twice (hidden) or read from standard input; refused when too weak."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise fail("no password on standard input")
        password = line.rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    weakness = check_password_strength(password)
    if weakness is not None:
        raise fail(weakness)
    return password


def _moment(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def _summary(account: StaffAccount) -> str:
    state = ", disabled" if account.disabled else ""
    return f"{account.login} ({account.name}): {account.role.value}{state}"


async def _exists(accounts: StaffAccountStore, login: str) -> bool:
    try:
        await accounts.get_account(login)
    except NotFound:
        return False
    return True


@app.command()
def add(
    login: str,
    name: Annotated[str, typer.Option(help="The person's name, as the console shows it.")],
    role: Annotated[StaffRole, typer.Option(help="admin manages accounts; agent works conversations.")],
    staff_member: Annotated[
        str | None, typer.Option("--staff-member", help="The playbook staff id this person is.")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a staff account; asks for its password twice."""
    try:
        login = normalize_login(login)
    except FrontdeskError as error:
        raise fail(str(error)) from None
    if _with_accounts(lambda accounts: _exists(accounts, login)):
        raise fail(f"a staff account {login} already exists")
    password = _password(password_stdin)
    account = _with_accounts(
        lambda accounts: accounts.add_account(
            login, name=name, role=role, password=password, staff_member=staff_member, actor=ACTOR
        )
    )
    out.print(f"added {_summary(account)}", markup=False)


@app.command()
def password(login: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password; the account's open sessions are closed and a lock is cleared."""
    _with_accounts(lambda accounts: accounts.get_account(login))
    new_password = _password(password_stdin)
    account = _with_accounts(lambda accounts: accounts.set_password(login, new_password, actor=ACTOR))
    out.print(f"password of {account.login} changed; its sessions are closed", markup=False)


@app.command("list")
def list_accounts() -> None:
    """Show every account: login, name, role, whether it is disabled or locked, last login."""
    accounts = _with_accounts(lambda store: store.list_accounts())
    now = SystemClock().now()
    table = Table("login", "name", "role", "disabled", "locked until", "last login")
    for a in accounts:
        locked = a.locked_until if a.locked_until is not None and a.locked_until > now else None
        table.add_row(
            a.login,
            a.name,
            a.role.value,
            "yes" if a.disabled else "",
            _moment(locked),
            _moment(a.last_login_at),
        )
    out.print(table)
    if not accounts:
        out.print("no staff accounts yet: add one with 'frontdesk staff add LOGIN --name NAME --role admin'")


@app.command()
def role(login: str, new_role: Annotated[StaffRole, typer.Argument(metavar="ROLE")]) -> None:
    """Make an account admin or agent."""
    account = _with_accounts(lambda accounts: accounts.set_role(login, new_role, actor=ACTOR))
    out.print(_summary(account), markup=False)


@app.command()
def disable(login: str) -> None:
    """Stop an account from signing in; its open sessions are closed."""
    account = _with_accounts(lambda accounts: accounts.set_disabled(login, True, actor=ACTOR))
    out.print(f"{account.login} is disabled; its sessions are closed", markup=False)


@app.command()
def enable(login: str) -> None:
    """Let a disabled account sign in again."""
    account = _with_accounts(lambda accounts: accounts.set_disabled(login, False, actor=ACTOR))
    out.print(f"{account.login} is enabled", markup=False)


@app.command()
def unlock(login: str) -> None:
    """Lift a lock after too many wrong passwords, before it runs out by itself."""
    account = _with_accounts(lambda accounts: accounts.unlock(login, actor=ACTOR))
    out.print(f"{account.login} is unlocked", markup=False)
