"""The first administrator: a server with no staff accounts creates ``admin`` with a random password.

The password is written once to a file only the server's user can read, in the data directory
(``console-admin-password.txt``), never to the log. Change it with ``frontdesk staff password
admin`` and delete the file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from pathlib import Path

from tools.errors import Conflict, NotFound
from tools.playbook import Playbook
from tools.staff_accounts import StaffAccountStore, StaffRole

log = logging.getLogger("frontdesk.console")

FIRST_ADMIN = "admin"
PASSWORD_FILE = "console-admin-password.txt"


async def ensure_first_admin(accounts: StaffAccountStore, data_dir: Path) -> Path | None:
    """Create ``admin`` when there is no account at all; returns the password file then, else None."""
    if await accounts.count_accounts():
        return None
    password = secrets.token_urlsafe(15)
    try:
        await accounts.add_account(
            FIRST_ADMIN,
            name="Administrator",
            role=StaffRole.ADMIN,
            password=password,
            actor="system:first-start",
        )
    except Conflict:  # another process created it first
        return None
    path = await asyncio.to_thread(_write_secret, data_dir / PASSWORD_FILE, password)
    log.warning(
        "created the console's first administrator %r; the password is in %s "
        "(change it with `frontdesk staff password %s`, then delete the file)",
        FIRST_ADMIN,
        path,
        FIRST_ADMIN,
    )
    return path


async def ensure_playbook_accounts(accounts: StaffAccountStore, playbook: Playbook) -> list[str]:
    """Create the console accounts the playbook's staff ask for (``console: admin|agent``); returns the new logins.

    A new account gets a random password nobody knows: the person can log in once an
    administrator sets one (``frontdesk staff password ID``). Existing accounts are left as they are.
    """
    created = []
    for member in playbook.staff:
        if member.console is None:
            continue
        try:
            await accounts.get_account(member.id)
            continue
        except NotFound:
            pass
        try:
            await accounts.add_account(
                member.id,
                name=member.name.get(playbook.business.default_language),
                role=StaffRole(member.console),
                password=secrets.token_urlsafe(24),
                staff_member=member.id,
                actor="system:playbook",
            )
        except Conflict:  # another process created it first
            continue
        created.append(member.id)
        log.warning(
            "created the console account %r (%s) from the playbook; set its password with "
            "`frontdesk staff password %s`",
            member.id,
            member.console,
            member.id,
        )
    return created


def _write_secret(path: Path, secret: str) -> Path:
    """Write `secret` to `path`, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    return path
