"""Dates and times: relative, vague, explicit and combined, in English and Russian."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agents.understanding.entities import parse_dates
from agents.understanding.model import DateMention, DayPart

from .support import MOSCOW, NOW, extract

D = date
AFTERNOON, MORNING, EVENING = DayPart.AFTERNOON, DayPart.MORNING, DayPart.EVENING


def _one(text: str) -> DateMention:
    found = parse_dates(text, now=NOW)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("сегодня", D(2027, 3, 1)),
        ("today please", D(2027, 3, 1)),
        ("завтра", D(2027, 3, 2)),
        ("можно завтро?", D(2027, 3, 2)),
        ("tomorrow", D(2027, 3, 2)),
        ("tmrw?", D(2027, 3, 2)),
        ("послезавтра", D(2027, 3, 3)),
        ("the day after tomorrow", D(2027, 3, 3)),
        ("в пятницу", D(2027, 3, 5)),
        ("во вторник", D(2027, 3, 2)),
        ("в понедельник", D(2027, 3, 8)),
        ("в эту субботу", D(2027, 3, 6)),
        ("в следующую пятницу", D(2027, 3, 12)),
        ("в пятницу на следующей неделе", D(2027, 3, 12)),
        ("on Wednesday", D(2027, 3, 3)),
        ("this Monday", D(2027, 3, 1)),
        ("next Friday", D(2027, 3, 12)),
        ("can I come on sat?", D(2027, 3, 6)),
        ("в субботу", D(2027, 3, 6)),
        ("через неделю", D(2027, 3, 8)),
        ("через 3 дня", D(2027, 3, 4)),
        ("через 2 недели", D(2027, 3, 15)),
        ("in two weeks", D(2027, 3, 15)),
        ("in a couple of days", D(2027, 3, 3)),
        ("через месяц", D(2027, 4, 1)),
        ("15.03", D(2027, 3, 15)),
        ("15/03", D(2027, 3, 15)),
        ("15.03.2028", D(2028, 3, 15)),
        ("2027-04-10", D(2027, 4, 10)),
        ("March 5", D(2027, 3, 5)),
        ("March 5th, 2028", D(2028, 3, 5)),
        ("5th of March", D(2027, 3, 5)),
        ("5 марта", D(2027, 3, 5)),
        ("на 8 мая", D(2027, 5, 8)),
        ("второго апреля", D(2027, 4, 2)),
        ("15-го", D(2027, 3, 15)),
        ("к 20 числу", D(2027, 3, 20)),
        ("on the 20th", D(2027, 3, 20)),
        ("15.02", D(2028, 2, 15)),
        ("1 января", D(2028, 1, 1)),
        ("вчера", D(2027, 2, 28)),
    ],
)
def test_days(text: str, day: date) -> None:
    mention = _one(text)
    assert mention.day == day
    assert mention.until is None


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("this weekend", D(2027, 3, 6), D(2027, 3, 7)),
        ("в эти выходные", D(2027, 3, 6), D(2027, 3, 7)),
        ("на выходных", D(2027, 3, 6), D(2027, 3, 7)),
        ("next weekend", D(2027, 3, 13), D(2027, 3, 14)),
        ("в следующие выходные", D(2027, 3, 13), D(2027, 3, 14)),
        ("next week", D(2027, 3, 8), D(2027, 3, 14)),
        ("на следующей неделе", D(2027, 3, 8), D(2027, 3, 14)),
        ("на этой неделе", D(2027, 3, 1), D(2027, 3, 7)),
        ("в апреле", D(2027, 4, 1), D(2027, 4, 30)),
        ("next month", D(2027, 4, 1), D(2027, 4, 30)),
        ("В течение месяца", D(2027, 3, 1), D(2027, 3, 31)),
        ("within a month", D(2027, 3, 1), D(2027, 3, 31)),
        ("в течение двух недель", D(2027, 3, 1), D(2027, 3, 15)),
        ("in the next 3 days", D(2027, 3, 1), D(2027, 3, 4)),
        ("Через 1–3 месяца", D(2027, 4, 1), D(2027, 6, 1)),
        ("in 1-3 months", D(2027, 4, 1), D(2027, 6, 1)),
    ],
)
def test_spans(text: str, first: date, last: date) -> None:
    mention = _one(text)
    assert (mention.day, mention.until) == (first, last)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("at 3pm", time(15)),
        ("15:00", time(15)),
        ("в 15", time(15)),
        ("в 15:30", time(15, 30)),
        ("к 10 утра", time(10)),
        ("в 7 вечера", time(19)),
        ("в 3 часа дня", time(15)),
        ("в 11", time(11)),
        ("at 3", time(15)),
        ("half past 4", time(16, 30)),
        ("quarter to 6", time(17, 45)),
        ("полвторого", time(13, 30)),
        ("в полдень", time(12)),
        ("at 10:30 am", time(10, 30)),
        ("в час дня", time(13)),
    ],
)
def test_times(text: str, at: time) -> None:
    mention = _one(text)
    assert mention.at == at
    assert mention.day is None


@pytest.mark.parametrize(
    ("text", "part", "after", "before"),
    [
        ("утром", MORNING, None, None),
        ("с утра", MORNING, None, None),
        ("днём", AFTERNOON, None, None),
        ("после обеда", AFTERNOON, time(13), None),
        ("вечером", EVENING, None, None),
        ("in the morning", MORNING, None, None),
        ("afternoon works", AFTERNOON, None, None),
        ("evening", EVENING, None, None),
        ("after lunch", AFTERNOON, time(13), None),
        ("до обеда", MORNING, None, time(13)),
        ("before noon", MORNING, None, time(12)),
        ("after work", EVENING, time(18), None),
        ("after 5", None, time(17), None),
        ("после 17", None, time(17), None),
        ("не позже 18:00", None, None, time(18)),
        ("до 12", None, None, time(12)),
        ("с 10 до 12", None, time(10), time(12)),
        ("between 2 and 4pm", None, time(14), time(16)),
    ],
)
def test_vague_times(text: str, part: DayPart | None, after: time | None, before: time | None) -> None:
    mention = _one(text)
    assert (mention.day_part, mention.after, mention.before) == (part, after, before)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "завтра после обеда",
            DateMention("завтра после обеда", D(2027, 3, 2), day_part=AFTERNOON, after=time(13)),
        ),
        ("next Friday morning", DateMention("next Friday morning", D(2027, 3, 12), day_part=MORNING)),
        ("в субботу в 11", DateMention("в субботу в 11", D(2027, 3, 6), at=time(11))),
        ("tomorrow at 3pm", DateMention("tomorrow at 3pm", D(2027, 3, 2), at=time(15))),
        (
            "завтра вечером в 8",
            DateMention("завтра вечером в 8", D(2027, 3, 2), at=time(20), day_part=EVENING),
        ),
        (
            "утром в 7 в четверг",
            DateMention("утром в 7 в четверг", D(2027, 3, 4), at=time(7), day_part=MORNING),
        ),
        ("15.03 в 15:00", DateMention("15.03 в 15:00", D(2027, 3, 15), at=time(15))),
        ("tonight", DateMention("tonight", D(2027, 3, 1), day_part=EVENING)),
        (
            "на выходных утром",
            DateMention("на выходных утром", D(2027, 3, 6), D(2027, 3, 7), day_part=MORNING),
        ),
        ("сегодня после 17", DateMention("сегодня после 17", D(2027, 3, 1), after=time(17))),
        ("через 2 часа", DateMention("через 2 часа", D(2027, 3, 1), at=time(14))),
    ],
)
def test_combinations(text: str, expected: DateMention) -> None:
    assert parse_dates(text, now=NOW) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "Добрый вечер!",
        "Good morning, do you do balayage?",
        "с днём рождения",
        "в 2 раза дешевле",
        "на 5 человек",
        "1.5 hours",
        "I sat there for ages",
        "приду с 2 детьми",
        "в 10 минутах от метро",
        "",
    ],
)
def test_no_dates(text: str) -> None:
    assert parse_dates(text, now=NOW) == ()


def test_two_separate_mentions() -> None:
    found = parse_dates("в субботу или в воскресенье", now=NOW)
    assert [mention.day for mention in found] == [D(2027, 3, 6), D(2027, 3, 7)]


def test_dates_are_resolved_in_the_business_time_zone() -> None:
    late_in_utc = datetime(2027, 3, 1, 22, 30, tzinfo=UTC)  # already 2 March in Moscow
    assert parse_dates("завтра", now=late_in_utc, zone=MOSCOW)[0].day == D(2027, 3, 3)
    assert parse_dates("завтра", now=late_in_utc)[0].day == D(2027, 3, 2)


def test_a_sunday_weekend_starts_today() -> None:
    sunday = NOW + timedelta(days=6)
    assert parse_dates("this weekend", now=sunday)[0].day == D(2027, 3, 7)


def test_us_businesses_read_the_month_first() -> None:
    assert parse_dates("03/15", now=NOW, month_first=True)[0].day == D(2027, 3, 15)


def test_extracted_with_the_playbook_zone() -> None:
    assert extract("давайте послезавтра утром").dates == (
        DateMention("послезавтра утром", D(2027, 3, 3), day_part=MORNING),
    )
