"""Staff accounts of the staff console: logins with roles, lockout after wrong passwords, sessions.

An account signs in with its login and password (argon2id hashes, see `tools.passwords`).
`LOCKOUT_ATTEMPTS` wrong passwords in a row lock it for `LOCKOUT_MINUTES`; while locked even
the right password is refused. A signed-in browser holds a session token (only its SHA-256 is
stored) that lasts `SESSION_HOURS` since it was last used. Disabling an account or changing its
password closes its sessions. Every change is written to the audit log with who made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.errors import InvalidInput

LOCKOUT_ATTEMPTS = 5
"""Failed logins in a row that lock the account."""
LOCKOUT_MINUTES = 15
"""How long a locked account stays locked."""
SESSION_HOURS = 12
"""A session's idle lifetime; every use slides the expiry (written at most once a minute)."""
SESSION_SLIDE_S = 60
"""A session's expiry is moved (written) only when its last move is older than this."""

_LOGIN = re.compile(r"[a-z0-9._@-]{2,64}")


class StaffRole(StrEnum):
    """What an account may do in the console."""

    ADMIN = "admin"
    """Everything, including managing staff accounts."""
    AGENT = "agent"
    """Work conversations, approvals and tickets."""


@dataclass(frozen=True)
class StaffAccount:
    """A person who signs in to the staff console."""

    id: str
    """``sa_…`` (`tools.ids.new_id`)."""
    login: str
    """Lower-cased, 2–64 characters of ``a-z 0-9 . _ @ -``."""
    name: str
    role: StaffRole
    staff_member: str | None
    """The playbook staff id this account is, when it is one of them."""
    disabled: bool
    failed_logins: int
    """Wrong passwords in a row since the last successful login or unlock."""
    locked_until: datetime | None
    """Logins are refused until then (set after `LOCKOUT_ATTEMPTS` wrong passwords)."""
    created_at: datetime
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        """Whether the account may manage other accounts and settings."""
        return self.role is StaffRole.ADMIN

    @property
    def actor(self) -> str:
        """How the audit log names this account: ``staff:<login>``."""
        return f"staff:{self.login}"


@dataclass(frozen=True)
class StaffSession:
    """A signed-in browser."""

    account: StaffAccount
    csrf_token: str
    """Sent back by the console with every form and unsafe request."""
    expires_at: datetime


class LoginOutcome(StrEnum):
    """How a login attempt ended."""

    OK = "ok"
    WRONG = "wrong"
    """Unknown login or wrong password (the two are not told apart)."""
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt, with the account when it succeeded."""

    outcome: LoginOutcome
    account: StaffAccount | None = None
    locked_until: datetime | None = None
    """When a locked account can try again."""


def normalize_login(login: str) -> str:
    """`login` lower-cased and trimmed; InvalidInput when it is not a valid login."""
    normalized = login.strip().lower()
    if not _LOGIN.fullmatch(normalized):
        raise InvalidInput(
            f"login {login!r} is not valid: use 2 to 64 characters of letters, digits, '.', '_', '@' and '-'"
        )
    return normalized


def lookup_login(login: str) -> str:
    """`login` as stored (trimmed, lower-cased), without judging it: logins are case-insensitive."""
    return login.strip().lower()


class StaffAccountStore(Protocol):
    """Staff accounts and their console sessions."""

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
        ...

    async def get_account(self, login: str) -> StaffAccount:
        """The account with `login`, in any case (NotFound if none)."""
        ...

    async def list_accounts(self) -> list[StaffAccount]:
        """Every account, by login."""
        ...

    async def count_accounts(self) -> int:
        """How many accounts exist (zero before the first admin is made)."""
        ...

    async def set_password(self, login: str, password: str, *, actor: str) -> StaffAccount:
        """Change the password; closes the account's sessions and clears its lock."""
        ...

    async def set_role(self, login: str, role: StaffRole, *, actor: str) -> StaffAccount:
        """Change what the account may do."""
        ...

    async def set_disabled(self, login: str, disabled: bool, *, actor: str) -> StaffAccount:
        """Disable (closing its sessions) or enable the account."""
        ...

    async def unlock(self, login: str, *, actor: str) -> StaffAccount:
        """Clear a lock and the count of wrong passwords."""
        ...

    async def authenticate(self, login: str, password: str) -> LoginResult:
        """Check a login attempt; counts wrong passwords and locks the account after too many.

        An unknown login is WRONG and takes as long as a wrong password; a locked account is
        LOCKED without the password being checked.
        """
        ...

    async def open_session(self, account_id: str) -> tuple[str, StaffSession]:
        """Start a session for a signed-in account; returns its token (shown once, stored hashed)."""
        ...

    async def session(self, token: str) -> StaffSession | None:
        """The live session of `token` (None if unknown, expired, or its account is disabled); slides its expiry."""
        ...

    async def close_session(self, token: str) -> None:
        """Sign out: the token stops working."""
        ...
