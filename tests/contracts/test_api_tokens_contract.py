"""API tokens on SQLite and PostgreSQL: secrets shown once and stored hashed, one active token per name, revoking, the last use, the audit trail."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DATABASES
from tools.api_tokens import TOKEN_PREFIX, ApiToken
from tools.clock import FrozenClock
from tools.errors import Conflict, InvalidInput, NotFound
from tools.sql import BusinessStores
from tools.sql.schema import api_tokens

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def test_the_secret_verifies_and_returns_its_token(stores: BusinessStores, clock: FrozenClock) -> None:
    secret, token = await stores.api_tokens.create_token(" CRM ", actor="cli")
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > len(TOKEN_PREFIX) + 40
    assert token.id.startswith("tok_") and token.name == "crm"
    assert token.created_at == clock.now() and token.last_used_at is None and token.revoked_at is None
    assert token.active

    verified = await stores.api_tokens.verify(secret)
    assert verified == ApiToken(token.id, "crm", token.created_at, clock.now(), None)
    assert await stores.api_tokens.list_tokens() == [verified]


async def test_a_wrong_or_truncated_secret_verifies_nothing(stores: BusinessStores) -> None:
    secret, _ = await stores.api_tokens.create_token("crm", actor="cli")
    other, _ = await stores.api_tokens.create_token("shop", actor="cli")
    for wrong in (secret[:-1], secret + "x", secret[len(TOKEN_PREFIX) :], "", TOKEN_PREFIX, other[:-1]):
        assert await stores.api_tokens.verify(wrong) is None, wrong
    assert (await stores.api_tokens.verify(other)) is not None


async def test_the_database_holds_only_a_hash_of_the_secret(stores: BusinessStores) -> None:
    secret, token = await stores.api_tokens.create_token("crm", actor="cli")
    async with stores.engine.connect() as connection:
        row = (await connection.execute(select(api_tokens))).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    values = [str(value) for value in row]
    assert not any(secret in value or secret[len(TOKEN_PREFIX) :] in value for value in values)
    entries = await stores.audit.entries(entity="api_token", entity_id=token.id)
    assert entries and all(secret[len(TOKEN_PREFIX) :] not in e.detail for e in entries)


async def test_one_active_token_per_name_and_a_revoked_name_can_be_reused(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    first_secret, first = await stores.api_tokens.create_token("crm", actor="cli")
    with pytest.raises(Conflict, match="crm"):
        await stores.api_tokens.create_token("CRM", actor="cli")

    clock.advance(timedelta(minutes=5))
    revoked = await stores.api_tokens.revoke("Crm", actor="cli")
    assert revoked.id == first.id and revoked.revoked_at == clock.now() and not revoked.active
    assert await stores.api_tokens.verify(first_secret) is None

    clock.advance(timedelta(minutes=5))
    second_secret, second = await stores.api_tokens.create_token("crm", actor="cli")
    assert second.id != first.id and second_secret != first_secret
    verified = await stores.api_tokens.verify(second_secret)
    assert verified is not None and verified.id == second.id
    assert await stores.api_tokens.verify(first_secret) is None, "the old secret stays dead"

    listed = await stores.api_tokens.list_tokens()
    assert [(t.id, t.active) for t in listed] == [(first.id, False), (second.id, True)]


async def test_parallel_creates_of_one_name_make_one_token(stores: BusinessStores) -> None:
    results = await asyncio.gather(
        *(stores.api_tokens.create_token("shop", actor="cli") for _ in range(4)), return_exceptions=True
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert [t.name for t in await stores.api_tokens.list_tokens()] == ["shop"]


async def test_revoking_needs_an_active_token_of_that_name(stores: BusinessStores) -> None:
    with pytest.raises(NotFound, match="no active token named nobody"):
        await stores.api_tokens.revoke("nobody", actor="cli")
    await stores.api_tokens.create_token("crm", actor="cli")
    await stores.api_tokens.revoke("crm", actor="cli")
    with pytest.raises(NotFound, match="no active token named crm"):
        await stores.api_tokens.revoke("crm", actor="cli")


async def test_the_last_use_moves_at_most_once_a_minute(stores: BusinessStores, clock: FrozenClock) -> None:
    secret, _ = await stores.api_tokens.create_token("crm", actor="cli")
    first_use = clock.now()

    async def stored_last_use() -> object:
        return (await stores.api_tokens.list_tokens())[0].last_used_at

    assert (await stores.api_tokens.verify(secret)) is not None
    assert await stored_last_use() == first_use

    clock.advance(timedelta(seconds=60))
    seen = await stores.api_tokens.verify(secret)
    assert seen is not None and seen.last_used_at == first_use, "not older than a minute: not written"
    assert await stored_last_use() == first_use

    clock.advance(timedelta(seconds=1))
    seen = await stores.api_tokens.verify(secret)
    assert seen is not None and seen.last_used_at == clock.now()
    assert await stored_last_use() == clock.now()


@pytest.mark.parametrize("name", ["a", "x" * 65, "crm shop", "crm/1", "crm@x", "", "ключ"])
async def test_bad_names_are_refused(stores: BusinessStores, name: str) -> None:
    with pytest.raises(InvalidInput, match="token name"):
        await stores.api_tokens.create_token(name, actor="cli")
    assert await stores.api_tokens.list_tokens() == []


async def test_creating_and_revoking_are_audited_with_who_did_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    secret, token = await stores.api_tokens.create_token("crm", actor="staff:anna")
    await stores.api_tokens.verify(secret)
    await stores.api_tokens.revoke("crm", actor="cli")
    entries = await stores.audit.entries(entity="api_token", entity_id=token.id)
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        ("api_token.created", "staff:anna", "token crm created"),
        ("api_token.revoked", "cli", "token crm revoked"),
    ]
    assert all(e.at == clock.now() for e in entries)
