"""`frontdesk tokens …` as an administrator runs it, on an SQLite database in a temporary directory."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from server.cli import app
from tools.api_tokens import ApiToken
from tools.clock import SystemClock
from tools.sql import open_stores

SECRET = re.compile(r"^fdt_[A-Za-z0-9_-]{40,}$", re.MULTILINE)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database the commands use (DATABASE_URL), with wide output for rich tables."""
    url = f"sqlite:///{tmp_path / 'data/frontdesk.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return url


def _tokens(*args: str) -> Result:
    return CliRunner().invoke(app, ["tokens", *args])


def _verify(url: str, secret: str) -> ApiToken | None:
    async def run() -> ApiToken | None:
        stores = await open_stores(url, clock=SystemClock())
        try:
            return await stores.api_tokens.verify(secret)
        finally:
            await stores.close()

    return asyncio.run(run())


def test_add_prints_the_secret_once_and_list_shows_the_token(database: str) -> None:
    added = _tokens("add", "CRM")
    assert added.exit_code == 0, added.output
    found = SECRET.findall(added.output)
    assert len(found) == 1, added.output
    secret = found[0]
    assert added.output.count(secret) == 1, "the secret is printed once"
    assert "will not be shown again" in added.output
    assert "Authorization: Bearer <token>" in added.output and "POST /api/events" in added.output
    verified = _verify(database, secret)
    assert verified is not None and verified.name == "crm"

    listed = _tokens("list")
    assert listed.exit_code == 0, listed.output
    for header in ("name", "created", "last used", "revoked"):
        assert header in listed.output
    row = next(line for line in listed.output.splitlines() if "crm" in line)
    assert "UTC" in row
    assert secret not in listed.output


def test_revoke_stops_the_token_and_list_shows_when(database: str) -> None:
    secret = SECRET.findall(_tokens("add", "shop").output)[0]
    assert _verify(database, secret) is not None
    revoked = _tokens("revoke", "SHOP")
    assert revoked.exit_code == 0, revoked.output
    assert "token shop is revoked" in revoked.output
    assert _verify(database, secret) is None
    row = next(line for line in _tokens("list").output.splitlines() if "shop" in line)
    assert row.count("UTC") == 3, "created, last used and revoked are shown"


def test_revoking_an_unknown_name_fails_with_the_reason(database: str) -> None:
    result = _tokens("revoke", "nobody")
    assert result.exit_code == 1
    assert "no active token named nobody" in result.stderr


def test_a_bad_name_or_a_second_active_token_is_refused(database: str) -> None:
    bad = _tokens("add", "no spaces")
    assert bad.exit_code == 1 and "token name 'no spaces' is not valid" in bad.output
    assert _tokens("add", "crm").exit_code == 0
    again = _tokens("add", "crm")
    assert again.exit_code == 1 and "an active token named crm exists" in again.output
    assert SECRET.search(again.output) is None


def test_an_empty_list_says_how_to_add_a_token(database: str) -> None:
    listed = _tokens("list")
    assert listed.exit_code == 0, listed.output
    assert "frontdesk tokens add NAME" in listed.output
