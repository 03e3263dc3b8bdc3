"""API tokens on SQL: only the SHA-256 of each secret is stored; a use is written at most once a minute.

One active token per name is checked inside the write transaction that adds the token. SQLite
runs write transactions one at a time; on PostgreSQL the transaction first takes an advisory
lock on the name, so two parallel creates of one name cannot both pass the check.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.api_tokens import TOKEN_PREFIX, USE_SLIDE_S, ApiToken, normalize_token_name
from tools.errors import Conflict, NotFound
from tools.ids import new_id
from tools.sql._unit import Change, SqlBase
from tools.sql.engine import reading, single_write, writing
from tools.sql.schema import api_tokens


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlApiTokens(SqlBase):
    """`ApiTokenStore` on SQLite or PostgreSQL."""

    async def create_token(self, name: str, *, actor: str) -> tuple[str, ApiToken]:
        """Make a token; returns its secret (shown once, stored hashed) and the token."""
        name = normalize_token_name(name)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id=new_id("tok"), name=name, created_at=self._clock.now(), last_used_at=None, revoked_at=None
        )
        async with writing(self._engine) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                key = func.hashtext(f"api_tokens:{name}")
                await connection.execute(select(func.pg_advisory_xact_lock(key)))
            taken = (
                await connection.execute(
                    select(api_tokens.c.id).where(
                        api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None)
                    )
                )
            ).first()
            if taken is not None:
                raise Conflict(f"an active token named {name} exists; revoke it first to reuse the name")
            await connection.execute(
                insert(api_tokens).values(
                    id=token.id,
                    name=name,
                    token_hash=_token_hash(secret),
                    created_at=token.created_at,
                )
            )
            await self._audit(connection, "api_token.created", token.id, f"token {name} created", actor)
        return secret, token

    async def verify(self, secret: str) -> ApiToken | None:
        """The active token of `secret` (None if unknown or revoked); slides its last use."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        query = select(api_tokens).where(api_tokens.c.token_hash == _token_hash(secret))
        async with reading(self._engine) as connection:
            row = (await connection.execute(query)).first()
        if row is None or row.revoked_at is not None:
            return None
        token = _token(row)
        now = self._clock.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(seconds=USE_SLIDE_S):
            async with single_write(self._engine) as connection:
                await connection.execute(
                    update(api_tokens)
                    .where(api_tokens.c.id == token.id, api_tokens.c.revoked_at.is_(None))
                    .values(last_used_at=now)
                )
            token = ApiToken(token.id, token.name, token.created_at, now, None)
        return token

    async def list_tokens(self) -> list[ApiToken]:
        """Every token, revoked ones too, by name (then oldest first)."""
        query = select(api_tokens).order_by(api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.id)
        async with reading(self._engine) as connection:
            rows = (await connection.execute(query)).all()
        return [_token(row) for row in rows]

    async def revoke(self, name: str, *, actor: str) -> ApiToken:
        """Stop the active token of `name` from working (NotFound if there is none)."""
        name = name.strip().lower()
        async with writing(self._engine) as connection, connection.begin():
            row = (
                await connection.execute(
                    update(api_tokens)
                    .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=self._clock.now())
                    .returning(*api_tokens.c)
                )
            ).first()
            if row is None:
                raise NotFound(f"no active token named {name}")
            await self._audit(connection, "api_token.revoked", row.id, f"token {name} revoked", actor)
        return _token(row)

    async def _audit(
        self, connection: AsyncConnection, action: str, token_id: str, detail: str, actor: str
    ) -> None:
        await self.audit(
            connection, Change(action, "api_token", token_id, detail), actor=actor, key=new_id("tka")
        )
