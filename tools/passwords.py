"""Password hashing for staff accounts: argon2id through argon2-cffi.

`DEFAULT_HASHER` uses argon2-cffi's defaults (RFC 9106's low-memory profile, about 50 ms a hash).
Every function takes another `PasswordHasher` for callers that need one (tests may pass cheaper
parameters); hashes record their own parameters, so any hasher verifies any hash, and
`needs_rehash` says when a stored hash is weaker than the hasher's current parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
"""Shorter passwords are refused."""

DEFAULT_HASHER = PasswordHasher()
"""argon2id with argon2-cffi's default (recommended) parameters."""


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """The argon2id hash of `password`, with a fresh salt (an ASCII string of about 100 characters)."""
    hashed: str = (hasher or DEFAULT_HASHER).hash(password)
    return hashed


def verify_password(hashed: str, password: str, *, hasher: PasswordHasher | None = None) -> bool:
    """Whether `password` matches `hashed`; False for a wrong password or a hash that is not argon2."""
    try:
        return bool((hasher or DEFAULT_HASHER).verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str, *, hasher: PasswordHasher | None = None) -> bool:
    """Whether `hashed` was made with weaker (or other) parameters than the hasher's, or is not a valid hash."""
    try:
        return bool((hasher or DEFAULT_HASHER).check_needs_rehash(hashed))
    except InvalidHashError:
        return True


def check_password_strength(password: str) -> str | None:
    """Why `password` is too weak to use, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
    if len(set(password)) == 1:
        return "the password is one character repeated: use different characters"
    return None
