"""API tokens: how other systems of the business (a CRM, a shop) authenticate to the events API.

A token is made for a named caller (``crm``, ``shop``) and its secret is shown once: only its
SHA-256 is stored. A caller sends it as ``Authorization: Bearer <secret>``. A revoked token stops
working at once and its name can be given to a new token; at most one active token has a name.
Every use slides `ApiToken.last_used_at` (written at most once a minute). Creating and revoking
are written to the audit log with who did it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tools.errors import InvalidInput

TOKEN_PREFIX = "fdt_"
"""How every secret starts, so that a leaked one is recognisable (secret scanners, logs)."""
USE_SLIDE_S = 60
"""`ApiToken.last_used_at` is moved (written) only when it is older than this."""

_NAME = re.compile(r"[a-z0-9._-]{2,64}")


@dataclass(frozen=True)
class ApiToken:
    """A credential of one calling system; never holds the secret itself."""

    id: str
    """``tok_…`` (`tools.ids.new_id`)."""
    name: str
    """Lower-cased, 2–64 characters of ``a-z 0-9 . _ -``; names the caller (``crm``, ``shop``)."""
    created_at: datetime
    last_used_at: datetime | None
    """When the token last authenticated a request (to within `USE_SLIDE_S`); None if never."""
    revoked_at: datetime | None
    """When it was revoked; a revoked token authenticates nothing."""

    @property
    def active(self) -> bool:
        """Whether the token still authenticates requests."""
        return self.revoked_at is None


def normalize_token_name(name: str) -> str:
    """`name` lower-cased and trimmed; InvalidInput when it is not a valid token name."""
    normalized = name.strip().lower()
    if not _NAME.fullmatch(normalized):
        raise InvalidInput(
            f"token name {name!r} is not valid: use 2 to 64 characters of letters, digits, '.', '_' and '-'"
        )
    return normalized


class ApiTokenStore(Protocol):
    """The API tokens of the business and their use."""

    async def create_token(self, name: str, *, actor: str) -> tuple[str, ApiToken]:
        """Make a token; returns its secret (shown once, stored hashed) and the token.

        Conflict if an active token already has that name; InvalidInput for a bad name.
        """
        ...

    async def verify(self, secret: str) -> ApiToken | None:
        """The active token of `secret` (None if unknown or revoked); slides its last use."""
        ...

    async def list_tokens(self) -> list[ApiToken]:
        """Every token, revoked ones too, by name (then oldest first)."""
        ...

    async def revoke(self, name: str, *, actor: str) -> ApiToken:
        """Stop the active token of `name` from working (NotFound if there is none)."""
        ...
