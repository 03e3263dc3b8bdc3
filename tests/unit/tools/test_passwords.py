"""Password hashing (argon2id) and the strength rule for staff passwords."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tools.passwords import check_password_strength, hash_password, needs_rehash, verify_password

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Weaker than the default: what an old hash would have been made with."""


def test_a_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second, "a fresh salt each time"
    assert "correct horse battery" not in first
    assert verify_password(first, "correct horse battery")
    assert verify_password(second, "correct horse battery")
    assert not verify_password(first, "correct horse batterY")
    assert not verify_password(first, "")


@pytest.mark.parametrize("broken", ["", "not a hash", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=1"])
def test_a_broken_hash_never_verifies_and_never_raises(broken: str) -> None:
    assert verify_password(broken, "correct horse battery") is False
    assert needs_rehash(broken) is True


def test_a_hash_with_weaker_parameters_needs_a_rehash() -> None:
    old = hash_password("correct horse battery", hasher=CHEAP)
    assert verify_password(old, "correct horse battery"), "any hasher verifies any argon2 hash"
    assert needs_rehash(old)
    assert not needs_rehash(old, hasher=CHEAP)
    assert not needs_rehash(hash_password("correct horse battery"))


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "at least 10 characters"),
        ("short", "at least 10 characters"),
        ("123456789", "at least 10 characters"),
        ("aaaaaaaaaaaa", "one character repeated"),
        ("          ", "one character repeated"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    message = check_password_strength(password)
    assert message is not None and reason in message


@pytest.mark.parametrize("password", ["1234567890", "correct horse battery", "пароль-для-анны", "ab" * 5])
def test_acceptable_passwords_pass(password: str) -> None:
    assert check_password_strength(password) is None
