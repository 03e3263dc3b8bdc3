"""Staff accounts and console sessions on SQL.

Passwords are hashed and checked in a worker thread (argon2 takes tens of milliseconds) and
never inside a write transaction, so the SQLite write lock is not held while hashing. What a
login attempt changes (the count of wrong passwords, the lock, the last login) is decided again
inside the write transaction on the row as it is then (``FOR UPDATE`` on PostgreSQL, the write
lock on SQLite), so parallel guesses cannot slip past the lockout.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.clock import Clock
from tools.errors import Conflict, InvalidInput, NotFound
from tools.ids import new_id
from tools.passwords import (
    DEFAULT_HASHER,
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from tools.sql._unit import Change, SqlBase
from tools.sql.engine import reading, writing
from tools.sql.schema import staff_accounts, staff_sessions
from tools.sql.staff_sessions import SqlStaffSessions, account_from_row
from tools.staff_accounts import (
    LOCKOUT_ATTEMPTS,
    LOCKOUT_MINUTES,
    LoginOutcome,
    LoginResult,
    StaffAccount,
    StaffRole,
    StaffSession,
    lookup_login,
    normalize_login,
)


def _strong(password: str) -> str:
    weakness = check_password_strength(password)
    if weakness is not None:
        raise InvalidInput(weakness)
    return password


class SqlStaffAccounts(SqlBase):
    """`StaffAccountStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, clock: Clock, *, hasher: PasswordHasher | None = None) -> None:
        super().__init__(engine, clock)
        self._hasher = hasher or DEFAULT_HASHER
        self._sessions = SqlStaffSessions(engine, clock, audit=self._audit)
        self._dummy_hash: str | None = None

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(hash_password, password, hasher=self._hasher)

    async def _verify(self, hashed: str, password: str) -> bool:
        return await asyncio.to_thread(verify_password, hashed, password, hasher=self._hasher)

    async def add_account(
        self,
        login: str,
        *,
        name: str,
        role: StaffRole,
        password: str,
        staff_member: str | None = None,
        actor: str,
    ) -> StaffAccount:
        """Create an account (Conflict if the login exists; InvalidInput for a bad login or weak password)."""
        login = normalize_login(login)
        if not name.strip():
            raise InvalidInput("a staff account needs a name")
        _strong(password)
        if await self._find(login) is not None:
            raise Conflict(f"a staff account {login} already exists")
        hashed = await self._hash(password)
        now = self._clock.now()
        account_id = new_id("sa")
        try:
            async with writing(self._engine) as connection, connection.begin():
                await connection.execute(
                    insert(staff_accounts).values(
                        id=account_id,
                        login=login,
                        name=name.strip(),
                        role=role.value,
                        staff_member=staff_member or None,
                        password_hash=hashed,
                        disabled=False,
                        failed_logins=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
                await self._audit(connection, "staff.added", account_id, f"{login} as {role.value}", actor)
        except IntegrityError:
            raise Conflict(f"a staff account {login} already exists") from None
        return await self.get_account(login)

    async def _find(self, login: str) -> Row[Any] | None:
        query = select(staff_accounts).where(staff_accounts.c.login == lookup_login(login))
        async with reading(self._engine) as connection:
            return (await connection.execute(query)).first()

    async def get_account(self, login: str) -> StaffAccount:
        """The account with `login`, in any case (NotFound if none)."""
        row = await self._find(login)
        if row is None:
            raise NotFound(f"no staff account {lookup_login(login)}")
        return account_from_row(row)

    async def list_accounts(self) -> list[StaffAccount]:
        """Every account, by login."""
        async with reading(self._engine) as connection:
            rows = (await connection.execute(select(staff_accounts).order_by(staff_accounts.c.login))).all()
        return [account_from_row(row) for row in rows]

    async def count_accounts(self) -> int:
        """How many accounts exist (zero before the first admin is made)."""
        async with reading(self._engine) as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(staff_accounts))).scalar_one()
            )

    async def _change(
        self, login: str, action: str, detail: str, *, actor: str, close_sessions: bool = False, **values: Any
    ) -> StaffAccount:
        """Update the account of `login`, audit it, and close its sessions when asked, in one transaction."""
        login = lookup_login(login)
        async with writing(self._engine) as connection, connection.begin():
            account_id = (
                await connection.execute(
                    update(staff_accounts)
                    .where(staff_accounts.c.login == login)
                    .values(updated_at=self._clock.now(), **values)
                    .returning(staff_accounts.c.id)
                )
            ).scalar_one_or_none()
            if account_id is None:
                raise NotFound(f"no staff account {login}")
            if close_sessions:
                await connection.execute(
                    delete(staff_sessions).where(staff_sessions.c.account_id == account_id)
                )
            await self._audit(connection, action, account_id, detail, actor)
        return await self.get_account(login)

    async def _audit(
        self, connection: AsyncConnection, action: str, account_id: str, detail: str, actor: str
    ) -> None:
        await self.audit(
            connection, Change(action, "staff_account", account_id, detail), actor=actor, key=new_id("stf")
        )

    async def set_password(self, login: str, password: str, *, actor: str) -> StaffAccount:
        """Change the password; closes the account's sessions and clears its lock."""
        hashed = await self._hash(_strong(password))
        return await self._change(
            login,
            "staff.password",
            "password changed; sessions closed",
            actor=actor,
            close_sessions=True,
            password_hash=hashed,
            failed_logins=0,
            locked_until=None,
        )

    async def set_role(self, login: str, role: StaffRole, *, actor: str) -> StaffAccount:
        """Change what the account may do."""
        return await self._change(login, "staff.role", f"role {role.value}", actor=actor, role=role.value)

    async def set_disabled(self, login: str, disabled: bool, *, actor: str) -> StaffAccount:
        """Disable (closing its sessions) or enable the account."""
        action, detail = (
            ("staff.disabled", "disabled; sessions closed") if disabled else ("staff.enabled", "enabled")
        )
        return await self._change(
            login, action, detail, actor=actor, close_sessions=disabled, disabled=disabled
        )

    async def unlock(self, login: str, *, actor: str) -> StaffAccount:
        """Clear a lock and the count of wrong passwords."""
        return await self._change(
            login, "staff.unlocked", "unlocked", actor=actor, failed_logins=0, locked_until=None
        )

    async def authenticate(self, login: str, password: str) -> LoginResult:
        """Check a login attempt; counts wrong passwords and locks the account after too many."""
        row = await self._find(login)
        if row is None:
            await self._verify(await self._dummy(), password)
            return LoginResult(LoginOutcome.WRONG)
        blocked = self._blocked(row)
        if blocked is not None:
            return blocked
        right = await self._verify(row.password_hash, password)
        rehashed = (
            await self._hash(password)
            if right and needs_rehash(row.password_hash, hasher=self._hasher)
            else None
        )
        async with writing(self._engine) as connection, connection.begin():
            current = (
                await connection.execute(
                    select(staff_accounts).where(staff_accounts.c.id == row.id).with_for_update()
                )
            ).one()
            result = self._blocked(current)
            if result is None and current.password_hash != row.password_hash:
                # the password changed while this attempt was checked against the old one
                result = LoginResult(LoginOutcome.WRONG)
            if result is None:
                if right:
                    result = await self._logged_in(connection, current, rehashed)
                else:
                    result = await self._failed(connection, current)
        return result

    async def _dummy(self) -> str:
        """A hash of a random password, so an unknown login costs the time of a real check."""
        if self._dummy_hash is None:
            self._dummy_hash = await self._hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _blocked(self, row: Row[Any]) -> LoginResult | None:
        if row.disabled:
            return LoginResult(LoginOutcome.DISABLED)
        if row.locked_until is not None and row.locked_until > self._clock.now():
            return LoginResult(LoginOutcome.LOCKED, locked_until=row.locked_until)
        return None

    async def _logged_in(
        self, connection: AsyncConnection, row: Row[Any], rehashed: str | None
    ) -> LoginResult:
        now = self._clock.now()
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if rehashed is not None:
            values["password_hash"] = rehashed
        await connection.execute(update(staff_accounts).where(staff_accounts.c.id == row.id).values(**values))
        await self._audit(connection, "staff.login", row.id, "signed in", f"staff:{row.login}")
        account = replace(account_from_row(row), failed_logins=0, locked_until=None, last_login_at=now)
        return LoginResult(LoginOutcome.OK, account=account)

    async def _failed(self, connection: AsyncConnection, row: Row[Any]) -> LoginResult:
        """Count a wrong password; returns LOCKED when it was one too many (a lock that ran out starts a new count)."""
        now = self._clock.now()
        failed = 1 if row.locked_until is not None else row.failed_logins + 1
        locked_until = now + timedelta(minutes=LOCKOUT_MINUTES) if failed >= LOCKOUT_ATTEMPTS else None
        await connection.execute(
            update(staff_accounts)
            .where(staff_accounts.c.id == row.id)
            .values(failed_logins=failed, locked_until=locked_until, updated_at=now)
        )
        if locked_until is None:
            await self._audit(
                connection, "staff.login_failed", row.id, f"wrong password ({failed} in a row)", "system"
            )
            return LoginResult(LoginOutcome.WRONG)
        detail = f"locked until {locked_until.isoformat(timespec='minutes')} after {failed} wrong passwords"
        await self._audit(connection, "staff.locked", row.id, detail, "system")
        return LoginResult(LoginOutcome.LOCKED, locked_until=locked_until)

    async def open_session(self, account_id: str) -> tuple[str, StaffSession]:
        """Start a session for a signed-in account; returns its token (shown once, stored hashed)."""
        return await self._sessions.open(account_id)

    async def session(self, token: str) -> StaffSession | None:
        """The live session of `token` (None if unknown, expired, or its account is disabled); slides its expiry."""
        return await self._sessions.find(token)

    async def close_session(self, token: str) -> None:
        """Sign out: the token stops working."""
        await self._sessions.close(token)
