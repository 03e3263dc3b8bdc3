"""`frontdesk staff …` as an administrator runs it, on an SQLite database in a temporary directory."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner, Result

from server.cli import app
from tools.clock import SystemClock
from tools.sql import open_stores
from tools.staff_accounts import LoginOutcome, StaffAccountStore, StaffRole

T = TypeVar("T")
PASSWORD = "correct horse battery"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database the commands use (DATABASE_URL), with wide output for rich tables."""
    url = f"sqlite:///{tmp_path / 'data/frontdesk.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return url


def _staff(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["staff", *args], input=stdin)


def _with_accounts(url: str, work: Callable[[StaffAccountStore], Awaitable[T]]) -> T:
    async def run() -> T:
        stores = await open_stores(url, clock=SystemClock())
        try:
            return await work(stores.staff_accounts)
        finally:
            await stores.close()

    return asyncio.run(run())


def test_an_admin_is_added_with_a_password_from_stdin_and_listed(database: str) -> None:
    added = _staff(
        "add", "Anna", "--name", "Anna Karenina", "--role", "admin", "--staff-member", "anna",
        "--password-stdin", stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added anna (Anna Karenina): admin" in added.output

    listed = _staff("list")
    assert listed.exit_code == 0, listed.output
    for header in ("login", "name", "role", "disabled", "locked until", "last login"):
        assert header in listed.output
    row = next(line for line in listed.output.splitlines() if "anna" in line)
    assert "Anna Karenina" in row and "admin" in row

    account = _with_accounts(database, lambda accounts: accounts.get_account("anna"))
    assert account.role is StaffRole.ADMIN and account.staff_member == "anna"
    signed_in = _with_accounts(database, lambda accounts: accounts.authenticate("anna", PASSWORD))
    assert signed_in.outcome is LoginOutcome.OK


def test_the_password_is_asked_twice_when_not_piped(database: str) -> None:
    added = _staff("add", "bob", "--name", "Bob", "--role", "agent", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert added.output.count("Password") == 1 and "Repeat for confirmation" in added.output
    assert PASSWORD not in added.output, "hidden input"
    signed_in = _with_accounts(database, lambda accounts: accounts.authenticate("bob", PASSWORD))
    assert signed_in.outcome is LoginOutcome.OK


def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_added(database: str) -> None:
    short = _staff("add", "bob", "--name", "Bob", "--role", "agent", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    same = _staff("add", "bob", "--name", "Bob", "--role", "agent", "--password-stdin", stdin="a" * 20 + "\n")
    assert same.exit_code == 1 and "one character repeated" in same.output
    assert _with_accounts(database, lambda accounts: accounts.count_accounts()) == 0


def test_a_taken_login_or_a_bad_one_is_refused_before_the_password_is_asked(database: str) -> None:
    assert (
        _staff(
            "add", "bob", "--name", "Bob", "--role", "agent", "--password-stdin", stdin=f"{PASSWORD}\n"
        ).exit_code
        == 0
    )
    again = _staff("add", "BOB", "--name", "Bob", "--role", "agent")
    assert again.exit_code == 1 and "a staff account bob already exists" in again.output
    assert "Password" not in again.output
    bad = _staff("add", "bob smith", "--name", "Bob", "--role", "agent")
    assert bad.exit_code == 1 and "is not valid" in bad.output


def test_the_role_changes_and_the_list_shows_it(database: str) -> None:
    _staff("add", "bob", "--name", "Bob", "--role", "admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    changed = _staff("role", "Bob", "agent")
    assert changed.exit_code == 0, changed.output
    assert "bob (Bob): agent" in changed.output
    row = next(line for line in _staff("list").output.splitlines() if "bob" in line)
    assert "agent" in row and "admin" not in row
    assert _staff("role", "bob", "owner").exit_code == 2, "only admin or agent"


@pytest.mark.parametrize(
    "command",
    [["role", "nobody", "admin"], ["disable", "nobody"], ["enable", "nobody"], ["unlock", "nobody"]],
)
def test_an_unknown_login_is_an_error(database: str, command: list[str]) -> None:
    result = _staff(*command)
    assert result.exit_code == 1
    assert "no staff account nobody" in result.output


def test_an_unknown_login_is_reported_before_a_new_password_is_asked(database: str) -> None:
    result = _staff("password", "nobody")
    assert result.exit_code == 1
    assert "no staff account nobody" in result.output and "Password" not in result.output


def test_a_new_password_works_and_the_old_one_does_not(database: str) -> None:
    _staff("add", "bob", "--name", "Bob", "--role", "agent", "--password-stdin", stdin=f"{PASSWORD}\n")
    weak = _staff("password", "bob", "--password-stdin", stdin="short\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    changed = _staff("password", "bob", "--password-stdin", stdin="a new long secret\n")
    assert changed.exit_code == 0, changed.output
    assert "sessions are closed" in changed.output
    old = _with_accounts(database, lambda accounts: accounts.authenticate("bob", PASSWORD))
    new = _with_accounts(database, lambda accounts: accounts.authenticate("bob", "a new long secret"))
    assert (old.outcome, new.outcome) == (LoginOutcome.WRONG, LoginOutcome.OK)


def test_disable_enable_and_unlock(database: str) -> None:
    _staff("add", "bob", "--name", "Bob", "--role", "agent", "--password-stdin", stdin=f"{PASSWORD}\n")

    async def guess(accounts: StaffAccountStore) -> None:
        for _ in range(5):
            await accounts.authenticate("bob", "a wrong password")

    _with_accounts(database, guess)
    row = next(line for line in _staff("list").output.splitlines() if "bob" in line)
    assert "UTC" in row, "locked until is shown"
    unlocked = _staff("unlock", "bob")
    assert unlocked.exit_code == 0 and "bob is unlocked" in unlocked.output
    assert "UTC" not in next(line for line in _staff("list").output.splitlines() if "bob" in line)

    disabled = _staff("disable", "bob")
    assert disabled.exit_code == 0 and "bob is disabled" in disabled.output
    assert "yes" in next(line for line in _staff("list").output.splitlines() if "bob" in line)
    refused = _with_accounts(database, lambda accounts: accounts.authenticate("bob", PASSWORD))
    assert refused.outcome is LoginOutcome.DISABLED
    assert _staff("enable", "bob").exit_code == 0
    allowed = _with_accounts(database, lambda accounts: accounts.authenticate("bob", PASSWORD))
    assert allowed.outcome is LoginOutcome.OK
    entries = _with_accounts(database, lambda accounts: accounts.list_accounts())
    assert [a.login for a in entries] == ["bob"]


def test_every_staff_command_has_help() -> None:
    for command in ([], ["add"], ["password"], ["list"], ["role"], ["disable"], ["enable"], ["unlock"]):
        result = CliRunner().invoke(app, ["staff", *command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output
