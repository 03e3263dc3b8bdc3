"""The booking search window read from a customer's date and time mentions."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from agents.booking_choice import preference_window
from agents.understanding import DateMention, DayPart

MOSCOW = ZoneInfo("Europe/Moscow")


def test_named_days_win_over_the_week_they_are_in() -> None:
    window = preference_window(
        [
            DateMention("на этой неделе", day=date(2027, 3, 1), until=date(2027, 3, 7)),
            DateMention("в четверг", day=date(2027, 3, 4)),
            DateMention("пятницу вечером", day=date(2027, 3, 5), day_part=DayPart.EVENING),
        ],
        MOSCOW,
    )
    assert window is not None
    assert window["from"].startswith("2027-03-04T00:00") and window["until"].startswith("2027-03-06T00:00")
    assert window["after"] == "17:00"


def test_a_consistent_loose_time_narrows_and_a_contradicting_one_is_ignored() -> None:
    window = preference_window(
        [
            DateMention("пятницу вечером", day=date(2027, 3, 5), day_part=DayPart.EVENING),
            DateMention("после работы", day_part=DayPart.EVENING, after=time(18)),
            DateMention("днем", day_part=DayPart.AFTERNOON),
        ],
        MOSCOW,
    )
    assert window is not None
    assert (window["after"], window["before"]) == ("18:00", "23:59")


def test_a_span_alone_is_the_window() -> None:
    window = preference_window(
        [DateMention("next week", day=date(2027, 3, 8), until=date(2027, 3, 14))], MOSCOW
    )
    assert window == {"from": "2027-03-08T00:00:00+03:00", "until": "2027-03-15T00:00:00+03:00"}


def test_no_mentions_no_window() -> None:
    assert preference_window([], MOSCOW) is None
