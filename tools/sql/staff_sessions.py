"""Console sessions on SQL: only a hash of each token is stored; every use slides the expiry (at most once a minute)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import Conflict, NotFound
from tools.ids import new_id
from tools.sql.engine import reading, single_write, writing
from tools.sql.schema import staff_accounts, staff_sessions
from tools.staff_accounts import SESSION_HOURS, SESSION_SLIDE_S, StaffAccount, StaffRole, StaffSession

Audit = Callable[[AsyncConnection, str, str, str, str], Awaitable[None]]
"""Record (connection, action, account id, detail, actor) in the audit log."""

_ACCOUNT_COLUMNS = [column.label(f"a_{column.name}") for column in staff_accounts.c]


def account_from_row(row: Row[Any], prefix: str = "") -> StaffAccount:
    """A `StaffAccount` from a row of staff_accounts (its columns prefixed with `prefix`)."""

    def value(name: str) -> Any:
        return getattr(row, prefix + name)

    return StaffAccount(
        id=value("id"),
        login=value("login"),
        name=value("name"),
        role=StaffRole(value("role")),
        staff_member=value("staff_member"),
        disabled=value("disabled"),
        failed_logins=value("failed_logins"),
        locked_until=value("locked_until"),
        created_at=value("created_at"),
        last_login_at=value("last_login_at"),
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlStaffSessions:
    """Sessions of staff accounts."""

    def __init__(self, engine: AsyncEngine, clock: Clock, *, audit: Audit) -> None:
        self._engine = engine
        self._clock = clock
        self._audit = audit

    async def open(self, account_id: str) -> tuple[str, StaffSession]:
        """Start a session for a signed-in account; returns its token (shown once, stored hashed)."""
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(select(staff_accounts).where(staff_accounts.c.id == account_id))
            ).first()
        if row is None:
            raise NotFound(f"no staff account with id {account_id}")
        account = account_from_row(row)
        if account.disabled:
            raise Conflict(f"staff account {account.login} is disabled; enable it first")
        token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._clock.now()
        expires_at = now + timedelta(hours=SESSION_HOURS)
        async with writing(self._engine) as connection, connection.begin():
            await connection.execute(
                delete(staff_sessions).where(
                    staff_sessions.c.account_id == account_id, staff_sessions.c.expires_at <= now
                )
            )
            await connection.execute(
                insert(staff_sessions).values(
                    id=new_id("ss"),
                    token_hash=_token_hash(token),
                    account_id=account_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )
        return token, StaffSession(account, csrf_token, expires_at)

    async def find(self, token: str) -> StaffSession | None:
        """The live session of `token` (None if unknown, expired, or its account is disabled); slides its expiry."""
        token_hash = _token_hash(token)
        query = (
            select(staff_sessions, *_ACCOUNT_COLUMNS)
            .join(staff_accounts, staff_accounts.c.id == staff_sessions.c.account_id)
            .where(staff_sessions.c.token_hash == token_hash)
        )
        async with reading(self._engine) as connection:
            row = (await connection.execute(query)).first()
        now = self._clock.now()
        if row is None or row.a_disabled:
            return None
        if row.expires_at <= now:
            async with single_write(self._engine) as connection:
                await connection.execute(delete(staff_sessions).where(staff_sessions.c.id == row.id))
            return None
        expires_at: datetime = row.expires_at
        if now - row.last_seen_at > timedelta(seconds=SESSION_SLIDE_S):
            expires_at = now + timedelta(hours=SESSION_HOURS)
            async with single_write(self._engine) as connection:
                await connection.execute(
                    update(staff_sessions)
                    .where(staff_sessions.c.id == row.id)
                    .values(last_seen_at=now, expires_at=expires_at)
                )
        return StaffSession(account_from_row(row, "a_"), row.csrf_token, expires_at)

    async def close(self, token: str) -> None:
        """Sign out: the token stops working."""
        async with writing(self._engine) as connection, connection.begin():
            row = (
                await connection.execute(
                    delete(staff_sessions)
                    .where(staff_sessions.c.token_hash == _token_hash(token))
                    .returning(staff_sessions.c.account_id)
                )
            ).first()
            if row is None:
                return
            login = (
                await connection.execute(
                    select(staff_accounts.c.login).where(staff_accounts.c.id == row.account_id)
                )
            ).scalar_one()
            await self._audit(connection, "staff.logout", row.account_id, "signed out", f"staff:{login}")
