"""The console's own rules without a server: both languages complete, staff edits checked field by field."""

from __future__ import annotations

import pytest

from server.console.actions import checked_changes
from server.console.pages import safe_next
from server.console.words import WORDS
from tools.errors import InvalidInput


def test_english_and_russian_have_the_same_words() -> None:
    assert set(WORDS["en"]) == set(WORDS["ru"])
    assert all(text.strip() for words in WORDS.values() for text in words.values())


def test_an_edited_estimate_keeps_only_its_numbers_normalised() -> None:
    edited = checked_changes("quote", {"low": "31 000", "high": "32000,50", "service": "haircut"})
    assert edited == {"low": "31000", "high": "32000.50"}, "the service is not staff's to change"


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("quote", {"low": "lots"}, "low: not a number"),
        ("quote", {"low": "-5"}, "low: must be zero or more"),
        ("quote", {"low": "40000", "high": "30000"}, "low: must not exceed high"),
        ("discount", {"percent": "150"}, "percent: at most 100"),
        ("quote", {"service": "x"}, "nothing to change"),
        ("escalation", {"reply": "   "}, "nothing to change"),
    ],
)
def test_a_bad_edit_names_the_field_and_the_problem(kind: str, changes: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        checked_changes(kind, changes)


def test_an_escalation_reply_is_kept_as_written() -> None:
    assert checked_changes("escalation", {"reply": " Мы перезвоним через час "}) == {
        "reply": "Мы перезвоним через час"
    }


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/console/conversations/telegram%3A1", "/console/conversations/telegram%3A1"),
        ("https://evil.example/console", "/console/inbox"),
        ("//evil.example/console", "/console/inbox"),
        ("/other", "/console/inbox"),
        (None, "/console/inbox"),
    ],
)
def test_after_login_only_console_paths_are_followed(asked: str | None, expected: str) -> None:
    assert safe_next(asked, "/console/inbox") == expected
