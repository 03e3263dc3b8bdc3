"""The rules of every proactive send, on the studio's playbook (quiet hours 21:00–09:00, Moscow)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.proactive.rules import (
    DeferUntil,
    Drop,
    SendCounts,
    SendNow,
    customer_zone,
    quiet_hours_end,
    verdict,
)
from tests.conftest import ROOT
from tools.playbook import Playbook, load_playbook

NONE_SENT = SendCounts(to_customer_today=0, account_last_hour=0)


@pytest.fixture(scope="module")
def studio() -> Playbook:
    return load_playbook(ROOT / "examples/studio/playbook.yaml")


def _msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour - 3, minute, tzinfo=UTC)  # Moscow is UTC+3


def test_in_the_day_it_goes_now(studio: Playbook) -> None:
    assert verdict(studio, _msk(2, 12), opted_out=False, counts=NONE_SENT) == SendNow()


@pytest.mark.parametrize(
    ("now", "until"),
    [(_msk(2, 22), _msk(3, 9)), (_msk(3, 8, 30), _msk(3, 9)), (_msk(2, 21), _msk(3, 9))],
)
def test_in_quiet_hours_it_waits_for_their_end(studio: Playbook, now: datetime, until: datetime) -> None:
    decided = verdict(studio, now, opted_out=False, counts=NONE_SENT)
    assert decided == DeferUntil(until, "quiet hours")
    assert quiet_hours_end(studio, _msk(3, 9)) is None, "09:00 is already day"


def test_an_opted_out_customer_gets_nothing_even_by_day(studio: Playbook) -> None:
    assert isinstance(verdict(studio, _msk(2, 12), opted_out=True, counts=NONE_SENT), Drop)


def test_the_daily_cap_moves_it_to_the_next_morning(studio: Playbook) -> None:
    cap = studio.follow_ups.per_customer_daily_cap
    decided = verdict(studio, _msk(2, 12), opted_out=False, counts=SendCounts(cap, 0))
    assert decided == DeferUntil(_msk(3, 9), "the customer's daily cap of proactive messages")
    assert verdict(studio, _msk(2, 12), opted_out=False, counts=SendCounts(cap - 1, 0)) == SendNow()


def test_the_account_breaker_halts_everything_for_a_while(studio: Playbook) -> None:
    cap = studio.follow_ups.account_hourly_cap
    decided = verdict(studio, _msk(2, 12), opted_out=False, counts=SendCounts(0, cap))
    assert isinstance(decided, DeferUntil) and decided.reason.startswith("account-wide")
    assert (decided.at - _msk(2, 12)).total_seconds() == 15 * 60


def test_quiet_hours_are_the_customers_when_their_time_zone_is_known(studio: Playbook) -> None:
    novosibirsk = customer_zone(studio, "Asia/Novosibirsk")  # UTC+7: four hours ahead of Moscow
    decided = verdict(studio, _msk(2, 18), opted_out=False, counts=NONE_SENT, zone=novosibirsk)
    assert decided == DeferUntil(_msk(3, 5), "quiet hours"), "22:00 there; 09:00 there is 05:00 in Moscow"
    assert verdict(studio, _msk(3, 6), opted_out=False, counts=NONE_SENT, zone=novosibirsk) == SendNow()
    assert verdict(studio, _msk(3, 6), opted_out=False, counts=NONE_SENT) != SendNow(), "06:00 in Moscow"


def test_an_unknown_time_zone_falls_back_to_the_business(studio: Playbook) -> None:
    assert customer_zone(studio, "Mars/Olympus") == studio.business.zone
    assert customer_zone(studio, None) == studio.business.zone
