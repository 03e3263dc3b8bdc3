"""Money formatting per language, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tools.clock import FrozenClock, ensure_aware
from tools.money import format_money, format_range


def test_money_reads_naturally_in_each_language() -> None:
    assert format_money(250000, "RUB", "ru") == "2\u00a0500\u00a0₽"
    assert format_money(250050, "RUB", "ru") == "2\u00a0500,50\u00a0₽"
    assert format_money(250000, "RUB", "en") == "₽2,500"
    assert format_money(999, "CHF", "en") == "9.99 CHF"
    assert format_range(600000, 900000, "RUB", "ru") == "6\u00a0000–9\u00a0000\u00a0₽"
    assert format_range(600000, 600000, "EUR", "en") == "€6,000"


def test_a_frozen_clock_moves_only_forward_when_told() -> None:
    clock = FrozenClock(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(hours=2)) == datetime(2027, 1, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(datetime(2027, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(datetime(2027, 1, 1))
