"""The console's SVG charts and the metrics page's figures, without a server."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.console.charts import (
    BARS_ROOM,
    BARS_WIDTH,
    HOURS_PLOT,
    RATE_TRACK,
    Bar,
    bar_chart,
    hour_chart,
    rate_bar,
)
from server.console.metrics_period import MAX_DAYS, period_of, quick_ranges
from server.console.metrics_view import duration_text, metrics_view, rate_text
from server.console.metrics_words import METRIC_WORDS
from tools.business_metrics import (
    ChannelResponse,
    DropOff,
    Durations,
    HourResponse,
    MetricsReport,
    OutcomeCount,
    RateFigure,
    ResponseTimes,
    SatisfactionSignals,
)
from tools.errors import InvalidInput

SVG = "{http://www.w3.org/2000/svg}"
EN = METRIC_WORDS["en"]
RU = METRIC_WORDS["ru"]
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    return root


def _bar_widths(root: ElementTree.Element, attribute: str = "width") -> list[float]:
    return [
        float(rect.get(attribute, "nan")) for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"
    ]


def test_a_bar_chart_is_well_formed_svg_scaled_to_its_largest_value() -> None:
    bars = [Bar("telegram", 40.0, "40 s"), Bar("webchat", 20.0, "20 s"), Bar("whatsapp", 0.0, "0 s")]
    root = _parsed(bar_chart(bars, title="Median first response", empty="No data"))
    assert _bar_widths(root) == [BARS_WIDTH - BARS_ROOM, (BARS_WIDTH - BARS_ROOM) / 2, 0.0]
    texts = ["".join(node.itertext()) for node in root.findall(f"{SVG}text")]
    assert texts == ["telegram", "40 s", "webchat", "20 s", "whatsapp", "0 s"], "every value is written out"
    summary = root.get("aria-label", "")
    assert summary == root.findtext(f"{SVG}title")
    assert summary == "Median first response. telegram: 40 s; webchat: 20 s; whatsapp: 0 s"


def test_text_in_a_chart_is_escaped() -> None:
    nasty = '<script>alert("x")</script> & co'
    svg = bar_chart([Bar(nasty, 1.0, "1 <b>")], title="A & B <c>", empty="none")
    root = _parsed(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert root.findtext(f"{SVG}text") == nasty
    assert root.get("aria-label", "").startswith("A & B <c>.")
    assert not root.findall(f".//{SVG}script")


def test_a_long_label_is_cut_in_the_chart_but_whole_in_its_summary() -> None:
    label = "Когда вам удобно прийти? Подскажите день и время, пожалуйста, чтобы я проверила"
    root = _parsed(bar_chart([Bar(label, 2.0, "2")], title="Drop-offs", empty="none"))
    drawn = root.findtext(f"{SVG}text") or ""
    assert drawn.endswith("…") and len(drawn) <= 56
    assert label in root.get("aria-label", "")


def test_charts_without_values_say_so_instead() -> None:
    for empty in (
        bar_chart([], title="t", empty="No data <here>"),
        bar_chart([Bar("telegram", None, "—")], title="t", empty="No data <here>"),
        hour_chart(
            [Bar(f"{hour:02d}:00", None, "—") for hour in range(24)], title="t", empty="No data <here>"
        ),
        rate_bar(None, title="t", shown="—", empty="No data <here>"),
    ):
        paragraph = ElementTree.fromstring(empty)
        assert paragraph.tag == "p" and paragraph.text == "No data <here>"


def test_an_hour_chart_has_24_columns_scaled_to_the_slowest_hour() -> None:
    values: dict[int, float] = {9: 30.0, 12: 120.0, 18: 60.0}
    bars = [Bar(f"{hour:02d}:00", values.get(hour), str(values.get(hour))) for hour in range(24)]
    root = _parsed(hour_chart(bars, title="By hour", empty="none"))
    heights = _bar_widths(root, "height")
    assert heights == [HOURS_PLOT / 4, HOURS_PLOT, HOURS_PLOT / 2], "hours without messages have no column"
    axis = [node.text for node in root.findall(f"{SVG}text")]
    assert axis == ["00:00", "06:00", "12:00", "18:00"]
    assert "12:00: 120.0" in root.get("aria-label", "")


def test_a_rate_bar_fills_its_share_of_the_track() -> None:
    root = _parsed(rate_bar(0.25, title="Booking rate", shown="25 %", empty="none"))
    assert _bar_widths(root) == [RATE_TRACK / 4]
    assert root.get("aria-label") == "Booking rate: 25 %"
    assert [node.text for node in root.findall(f"{SVG}text")] == ["25 %"]
    assert _bar_widths(_parsed(rate_bar(1.7, title="t", shown="170 %", empty="none"))) == [RATE_TRACK]


@pytest.mark.parametrize(
    ("seconds", "english", "russian"),
    [
        (None, "—", "—"),
        (0.4, "< 1 s", "< 1 с"),
        (0, "0 s", "0 с"),
        (45, "45 s", "45 с"),
        (59.6, "1 min", "1 мин"),
        (200, "3 min 20 s", "3 мин 20 с"),
        (7500, "2 h 5 min", "2 ч 5 мин"),
        (7200, "2 h", "2 ч"),
        (97200, "1 d 3 h", "1 д 3 ч"),
        (86400 * 3, "3 d", "3 д"),
    ],
)
def test_waits_read_in_the_two_largest_units(seconds: float | None, english: str, russian: str) -> None:
    assert duration_text(seconds, EN) == english
    assert duration_text(seconds, RU) == russian


def test_shares_read_as_whole_percentages() -> None:
    assert [rate_text(r) for r in (None, 0.0, 1 / 3, 0.755, 1.0)] == ["—", "0 %", "33 %", "76 %", "100 %"]


def test_english_and_russian_have_the_same_metric_words() -> None:
    assert set(METRIC_WORDS) == {"en", "ru"}
    assert set(EN) == set(RU)
    assert all(text.strip() for words in METRIC_WORDS.values() for text in words.values())


def _report() -> MetricsReport:
    hours = tuple(
        HourResponse(hour, 2 if hour == 12 else 0, 45.0 if hour == 12 else None) for hour in range(24)
    )
    return MetricsReport(
        start=datetime(2027, 2, 22, 21, tzinfo=UTC),
        end=NOW,
        zone="Europe/Moscow",
        first_response=ResponseTimes(2, 45.0, 200.0, 1),
        first_response_by_channel=(ChannelResponse("telegram", ResponseTimes(2, 45.0, 200.0, 1)),),
        first_response_by_hour=hours,
        qualification=RateFigure(4, 12),
        booking=RateFigure(0, 0),
        solved_without_person=RateFigure(3, 4),
        drop_offs=(DropOff("booking", "booking_new", 2),),
        price_to_payment=Durations(1, 86400.0, 86400.0),
        satisfaction=SatisfactionSignals((OutcomeCount("solved_by_bot", 3), OutcomeCount("odd", 1)), 2, 1, 0),
        truncated=False,
    )


def test_the_page_view_shows_every_figure_as_text() -> None:
    view = metrics_view(_report(), RU)
    assert view.overall.median == "45 с" and view.overall.p90 == "3 мин 20 с" and view.overall.unanswered == 1
    assert [(row.channel, row.answered) for row in view.channels] == [("telegram", 2)]
    assert [(row.hour, row.messages, row.median) for row in view.hours] == [("12:00", 2, "45 с")]
    assert [(rate.key, rate.shown, rate.counts) for rate in view.rates] == [
        ("qualification", "33 %", "4 из 12"),
        ("booking", "—", "0 из 0"),
        ("solved", "75 %", "3 из 4"),
    ]
    assert "chart-empty" in view.rates[1].chart
    assert view.price_to_payment.median == "1 д"
    assert [(row.outcome, row.tickets) for row in view.outcomes] == [("решено ботом", 3), ("odd", 1)]
    for chart in (view.channel_chart, view.hour_chart, view.drop_off_chart):
        _parsed(chart)


def test_a_period_is_whole_local_days_counted_up_to_now() -> None:
    period = period_of("", "", now=NOW, zone=MOSCOW, words=EN)
    assert (period.first, period.last, period.days) == (date(2027, 2, 23), date(2027, 3, 1), 7)
    assert period.start == datetime(2027, 2, 22, 21, tzinfo=UTC) and period.end == NOW
    past = period_of("2027-01-01", "2027-01-31", now=NOW, zone=MOSCOW, words=EN)
    assert past.end == datetime(2027, 1, 31, 21, tzinfo=UTC), "to is included"
    assert [link.days for link in quick_ranges(NOW, MOSCOW)] == [7, 30, 90]
    assert quick_ranges(NOW, MOSCOW)[1].href == "/console/metrics?from=2027-01-31&to=2027-03-01"


@pytest.mark.parametrize(
    ("asked_from", "asked_to", "message"),
    [
        ("2027-03-02", "2027-03-01", "“From” (2027-03-02) is after “To” (2027-03-01)"),
        ("2026-01-01", "2027-03-01", f"at most {MAX_DAYS} days; this one has 425"),
        ("yesterday", "", "“yesterday” is not a date"),
    ],
)
def test_a_period_that_cannot_be_shown_is_refused_with_a_reason(
    asked_from: str, asked_to: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        period_of(asked_from, asked_to, now=NOW, zone=MOSCOW, words=EN)
    with pytest.raises(InvalidInput):
        period_of(asked_from, asked_to, now=NOW, zone=MOSCOW, words=RU)
