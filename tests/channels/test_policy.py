"""Shared channel policy: splitting text the way a reader expects, numbered options, windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.channels.policy import (
    TextLimit,
    fits,
    measure,
    numbered_options,
    split_text,
    truncate,
    within_human_agent_window,
    within_whatsapp_window,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_text_that_fits_is_one_part_unchanged_but_trimmed() -> None:
    assert split_text("  Добрый день!  ", TextLimit(100)) == ("Добрый день!",)


def test_splitting_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "First paragraph here.\n\nSecond one is longer. It has two sentences."
    assert split_text(text, TextLimit(45)) == (
        "First paragraph here.",
        "Second one is longer. It has two sentences.",
    )
    assert split_text("One sentence. Another sentence here.", TextLimit(20)) == (
        "One sentence.",
        "Another sentence",
        "here.",
    )


def test_a_word_longer_than_the_limit_is_cut_and_nothing_is_lost() -> None:
    word = "а" * 25
    parts = split_text(word, TextLimit(10))
    assert parts == ("а" * 10, "а" * 10, "а" * 5)


def test_limits_in_utf8_bytes_count_cyrillic_letters_twice() -> None:
    text = "Привет мир " * 30
    parts = split_text(text, TextLimit(100, "utf8"))
    assert all(measure(part, "utf8") <= 100 for part in parts)
    assert " ".join(parts).split() == text.split()
    assert fits("я" * 50, TextLimit(100, "utf8")) and not fits("я" * 51, TextLimit(100, "utf8"))


def test_utf16_counts_emoji_as_two() -> None:
    assert measure("😀a", "utf16") == 3
    assert measure("😀a", "chars") == 2


@pytest.mark.parametrize("limit", [TextLimit(50), TextLimit(80, "utf8"), TextLimit(33, "utf16")])
def test_no_part_is_empty_or_over_the_limit(limit: TextLimit) -> None:
    text = "Запись 😀 на завтра.\n\n\n  Ok?  \n" + "word " * 40 + "\n\nКонец."
    parts = split_text(text, limit)
    assert all(part and part == part.strip() for part in parts)
    assert all(fits(part, limit) for part in parts)
    assert " ".join(parts).split() == text.split()


def test_numbered_options_list_every_option_on_its_own_line() -> None:
    assert (
        numbered_options("Какой день?", ["Понедельник", " Вторник "])
        == "Какой день?\n\n1. Понедельник\n2. Вторник"
    )
    assert numbered_options("No options", []) == "No options"


def test_truncate_stops_at_a_word_and_says_it_did() -> None:
    assert truncate("Short enough", TextLimit(20)) == "Short enough"
    shortened = truncate("We will call you back tomorrow morning", TextLimit(20))
    assert shortened == "We will call you…"
    assert fits(shortened, TextLimit(20))


def test_windows_compare_aware_times_only() -> None:
    assert within_human_agent_window(NOW - timedelta(days=6, hours=23), NOW)
    assert not within_human_agent_window(NOW - timedelta(days=7), NOW)
    with pytest.raises(ValueError, match="aware"):
        within_whatsapp_window(datetime(2027, 3, 1, 8, 0), NOW)
