"""Staff accounts on SQLite and PostgreSQL: sign in, lockout, disabling, sessions that expire, the audit trail."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.conftest import on_every_database
from tools.clock import FrozenClock
from tools.errors import Conflict, InvalidInput, NotFound
from tools.sql import BusinessStores
from tools.sql.schema import staff_accounts, staff_sessions
from tools.sql.staff_accounts import SqlStaffAccounts
from tools.staff_accounts import (
    LOCKOUT_ATTEMPTS,
    LoginOutcome,
    StaffAccount,
    StaffRole,
)

PASSWORD = "correct horse battery"
OTHER = "another long secret"


async def _anna(stores: BusinessStores, role: StaffRole = StaffRole.AGENT) -> StaffAccount:
    return await stores.staff_accounts.add_account(
        "Anna.K", name="Anna K", role=role, password=PASSWORD, staff_member="anna", actor="staff:boss"
    )


@on_every_database
async def test_the_right_password_signs_in_and_a_wrong_one_does_not(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    anna = await _anna(stores)
    assert (anna.login, anna.name, anna.role, anna.staff_member) == (
        "anna.k",
        "Anna K",
        StaffRole.AGENT,
        "anna",
    )
    assert anna.created_at == clock.now() and anna.last_login_at is None and not anna.disabled
    assert anna.actor == "staff:anna.k" and not anna.is_admin

    wrong = await stores.staff_accounts.authenticate("anna.k", "not the password")
    assert wrong.outcome is LoginOutcome.WRONG and wrong.account is None
    assert (await stores.staff_accounts.get_account("anna.k")).failed_logins == 1

    clock.advance(timedelta(minutes=1))
    right = await stores.staff_accounts.authenticate("ANNA.K", PASSWORD)
    assert right.outcome is LoginOutcome.OK and right.account is not None
    assert right.account.id == anna.id and right.account.last_login_at == clock.now()
    stored = await stores.staff_accounts.get_account("Anna.K")
    assert stored.failed_logins == 0 and stored.last_login_at == clock.now()

    unknown = await stores.staff_accounts.authenticate("nobody", PASSWORD)
    assert unknown.outcome is LoginOutcome.WRONG and unknown.account is None


@on_every_database
async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await _anna(stores)
    accounts = stores.staff_accounts
    outcomes = [(await accounts.authenticate("anna.k", "guess number x")).outcome for _ in range(4)]
    assert outcomes == [LoginOutcome.WRONG] * 4
    fifth = await accounts.authenticate("anna.k", "guess number x")
    assert fifth.outcome is LoginOutcome.LOCKED
    assert fifth.locked_until == clock.now() + timedelta(minutes=15)

    clock.advance(timedelta(minutes=14, seconds=59))
    refused = await accounts.authenticate("anna.k", PASSWORD)
    assert refused.outcome is LoginOutcome.LOCKED and refused.account is None, "even the right password"
    assert refused.locked_until == fifth.locked_until
    assert (await accounts.get_account("anna.k")).failed_logins == LOCKOUT_ATTEMPTS

    clock.advance(timedelta(seconds=1))
    after = await accounts.authenticate("anna.k", PASSWORD)
    assert after.outcome is LoginOutcome.OK
    anna = await accounts.get_account("anna.k")
    assert anna.failed_logins == 0 and anna.locked_until is None


@on_every_database
async def test_after_a_lock_runs_out_a_wrong_password_starts_a_new_count(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    await _anna(stores)
    for _ in range(LOCKOUT_ATTEMPTS):
        await stores.staff_accounts.authenticate("anna.k", "guess number x")
    clock.advance(timedelta(minutes=16))
    again = await stores.staff_accounts.authenticate("anna.k", "guess number y")
    assert again.outcome is LoginOutcome.WRONG
    assert (await stores.staff_accounts.get_account("anna.k")).failed_logins == 1


@on_every_database
async def test_unlock_lets_a_locked_account_sign_in_at_once(stores: BusinessStores) -> None:
    await _anna(stores)
    for _ in range(LOCKOUT_ATTEMPTS):
        await stores.staff_accounts.authenticate("anna.k", "guess number x")
    assert (await stores.staff_accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.LOCKED
    unlocked = await stores.staff_accounts.unlock("ANNA.K", actor="staff:boss")
    assert unlocked.locked_until is None and unlocked.failed_logins == 0
    assert (await stores.staff_accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.OK


@on_every_database
async def test_parallel_guesses_cannot_slip_past_the_lockout(stores: BusinessStores) -> None:
    anna = await _anna(stores)
    results = await asyncio.gather(
        *(stores.staff_accounts.authenticate("anna.k", f"guess number {n}") for n in range(8))
    )
    assert Counter(r.outcome for r in results) == {LoginOutcome.WRONG: 4, LoginOutcome.LOCKED: 4}
    actions = [e.action for e in await stores.audit.entries(entity="staff_account", entity_id=anna.id)]
    assert actions.count("staff.locked") == 1 and actions.count("staff.login_failed") == 4


@on_every_database
async def test_a_disabled_account_cannot_sign_in_and_its_sessions_stop_working(
    stores: BusinessStores,
) -> None:
    anna = await _anna(stores)
    token, opened = await stores.staff_accounts.open_session(anna.id)
    assert opened.account.id == anna.id
    assert (await stores.staff_accounts.session(token)) is not None

    disabled = await stores.staff_accounts.set_disabled("anna.k", True, actor="staff:boss")
    assert disabled.disabled
    assert await stores.staff_accounts.session(token) is None
    assert (await stores.staff_accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.DISABLED
    with pytest.raises(Conflict, match="disabled"):
        await stores.staff_accounts.open_session(anna.id)

    await stores.staff_accounts.set_disabled("anna.k", False, actor="staff:boss")
    assert (await stores.staff_accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.OK
    assert await stores.staff_accounts.session(token) is None, "re-enabling does not revive old sessions"


@on_every_database
async def test_changing_the_password_closes_sessions_and_only_the_new_password_works(
    stores: BusinessStores,
) -> None:
    anna = await _anna(stores)
    token, _ = await stores.staff_accounts.open_session(anna.id)
    for _ in range(LOCKOUT_ATTEMPTS):
        await stores.staff_accounts.authenticate("anna.k", "guess number x")

    changed = await stores.staff_accounts.set_password("Anna.K", OTHER, actor="staff:boss")
    assert changed.locked_until is None and changed.failed_logins == 0
    assert await stores.staff_accounts.session(token) is None
    assert (await stores.staff_accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.WRONG
    assert (await stores.staff_accounts.authenticate("anna.k", OTHER)).outcome is LoginOutcome.OK


@on_every_database
async def test_a_session_lasts_twelve_idle_hours_and_every_use_extends_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    anna = await _anna(stores)
    start = clock.now()
    token, opened = await stores.staff_accounts.open_session(anna.id)
    assert opened.expires_at == start + timedelta(hours=12) and len(opened.csrf_token) >= 40

    clock.advance(timedelta(hours=11))
    used = await stores.staff_accounts.session(token)
    assert used is not None and used.account.login == "anna.k"
    assert used.csrf_token == opened.csrf_token
    assert used.expires_at == start + timedelta(hours=23)

    clock.advance(timedelta(seconds=30))
    soon = await stores.staff_accounts.session(token)
    assert soon is not None and soon.expires_at == used.expires_at, "not moved (nor written) within a minute"

    clock.advance(timedelta(hours=11, minutes=59))
    assert await stores.staff_accounts.session(token) is not None
    clock.advance(timedelta(hours=12))
    assert await stores.staff_accounts.session(token) is None, "twelve idle hours"
    assert await stores.staff_accounts.session("not-a-token") is None


@on_every_database
async def test_signing_out_ends_the_session_only(stores: BusinessStores) -> None:
    anna = await _anna(stores)
    laptop, _ = await stores.staff_accounts.open_session(anna.id)
    phone, _ = await stores.staff_accounts.open_session(anna.id)
    await stores.staff_accounts.close_session(laptop)
    await stores.staff_accounts.close_session(laptop)
    assert await stores.staff_accounts.session(laptop) is None
    assert await stores.staff_accounts.session(phone) is not None


@on_every_database
async def test_only_a_digest_of_the_session_token_is_stored(stores: BusinessStores) -> None:
    anna = await _anna(stores)
    token, opened = await stores.staff_accounts.open_session(anna.id)
    async with stores.engine.connect() as connection:
        rows = (await connection.execute(select(staff_sessions))).mappings().all()
        account = (await connection.execute(select(staff_accounts))).mappings().one()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0].values())
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0]["csrf_token"] == opened.csrf_token
    assert account["password_hash"].startswith("$argon2id$") and PASSWORD not in str(dict(account))


@on_every_database
async def test_a_login_is_taken_once_whatever_its_case(stores: BusinessStores) -> None:
    await _anna(stores)
    with pytest.raises(Conflict, match="anna.k already exists"):
        await stores.staff_accounts.add_account(
            " ANNA.k ", name="Other Anna", role=StaffRole.ADMIN, password=OTHER, actor="staff:boss"
        )
    assert await stores.staff_accounts.count_accounts() == 1


@on_every_database
async def test_weak_passwords_and_bad_logins_are_refused_with_the_reason(stores: BusinessStores) -> None:
    accounts = stores.staff_accounts
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        await accounts.add_account("bob", name="Bob", role=StaffRole.AGENT, password="short", actor="cli")
    with pytest.raises(InvalidInput, match="one character repeated"):
        await accounts.add_account("bob", name="Bob", role=StaffRole.AGENT, password="x" * 12, actor="cli")
    for login in ("b", "bob smith", "bob/admin", "b" * 65):
        with pytest.raises(InvalidInput, match="is not valid"):
            await accounts.add_account(login, name="Bob", role=StaffRole.AGENT, password=OTHER, actor="cli")
    assert await accounts.count_accounts() == 0
    await _anna(stores)
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        await accounts.set_password("anna.k", "short", actor="cli")
    assert (await accounts.authenticate("anna.k", PASSWORD)).outcome is LoginOutcome.OK


@on_every_database
async def test_accounts_are_listed_by_login_and_roles_change(stores: BusinessStores) -> None:
    accounts = stores.staff_accounts
    await accounts.add_account("zoe", name="Zoe", role=StaffRole.ADMIN, password=OTHER, actor="cli")
    await _anna(stores)
    assert [a.login for a in await accounts.list_accounts()] == ["anna.k", "zoe"]
    assert await accounts.count_accounts() == 2
    promoted = await accounts.set_role("ANNA.K", StaffRole.ADMIN, actor="staff:zoe")
    assert promoted.role is StaffRole.ADMIN and promoted.is_admin
    with pytest.raises(NotFound, match="no staff account nobody"):
        await accounts.get_account("nobody")
    with pytest.raises(NotFound, match="no staff account nobody"):
        await accounts.set_role("nobody", StaffRole.AGENT, actor="cli")


@on_every_database
async def test_every_change_and_sign_in_is_audited_with_who_did_it(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    anna = await _anna(stores)
    await stores.staff_accounts.set_role("anna.k", StaffRole.ADMIN, actor="staff:boss")
    await stores.staff_accounts.authenticate("anna.k", "guess number x")
    await stores.staff_accounts.authenticate("anna.k", PASSWORD)
    token, _ = await stores.staff_accounts.open_session(anna.id)
    await stores.staff_accounts.close_session(token)
    await stores.staff_accounts.set_disabled("anna.k", True, actor="cli")
    await stores.staff_accounts.set_disabled("anna.k", False, actor="cli")
    await stores.staff_accounts.unlock("anna.k", actor="cli")
    await stores.staff_accounts.set_password("anna.k", OTHER, actor="staff:anna.k")
    entries = await stores.audit.entries(entity="staff_account", entity_id=anna.id)
    assert [(e.action, e.actor) for e in entries] == [
        ("staff.added", "staff:boss"),
        ("staff.role", "staff:boss"),
        ("staff.login_failed", "system"),
        ("staff.login", "staff:anna.k"),
        ("staff.logout", "staff:anna.k"),
        ("staff.disabled", "cli"),
        ("staff.enabled", "cli"),
        ("staff.unlocked", "cli"),
        ("staff.password", "staff:anna.k"),
    ]
    assert all(e.at == clock.now() for e in entries)
    assert all(PASSWORD not in e.detail and OTHER not in e.detail for e in entries)


@on_every_database
async def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_sign_in(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    weak = SqlStaffAccounts(stores.engine, clock, hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    await weak.add_account("old", name="Old Hash", role=StaffRole.AGENT, password=OTHER, actor="cli")
    assert (await stores.staff_accounts.authenticate("old", OTHER)).outcome is LoginOutcome.OK
    async with stores.engine.connect() as connection:
        stored = (
            await connection.execute(
                select(staff_accounts.c.password_hash).where(staff_accounts.c.login == "old")
            )
        ).scalar_one()
    assert "m=65536,t=3" in stored
    assert (await stores.staff_accounts.authenticate("old", OTHER)).outcome is LoginOutcome.OK
