"""What the metrics page shows, built from a `MetricsReport` in the staff member's language.

Waits read as "45 s", "3 min 20 s", "2 h 5 min", "1 d 3 h"; shares as "33 %" with their counts
("4 of 12"); a figure that could not be measured is "—". Every chart comes with its numbers as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from server.console.charts import Bar, bar_chart, hour_chart, rate_bar
from tools.business_metrics import Durations, MetricsReport, RateFigure, ResponseTimes

DASH = "—"
"""A figure that could not be measured (nothing to count)."""


def duration_text(seconds: float | None, words: Mapping[str, str]) -> str:
    """A wait in the two largest units that matter: "45 s", "3 min 20 s", "2 h 5 min", "1 d 3 h"."""
    if seconds is None:
        return DASH
    total = max(round(seconds), 0)
    s, mins, h, d = words["unit_s"], words["unit_min"], words["unit_h"], words["unit_d"]
    if 0 < seconds < 0.5:
        return f"< 1 {s}"
    if total < 60:
        return f"{total} {s}"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} {mins}" + (f" {rest} {s}" if rest else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} {h}" + (f" {minutes} {mins}" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} {d}" + (f" {hours} {h}" if hours else "")


def rate_text(rate: float | None) -> str:
    """A share as a whole percentage ("33 %"), or "—"."""
    return DASH if rate is None else f"{round(rate * 100)} %"


def hour_text(hour: int) -> str:
    """An hour of the day as a clock time: "09:00"."""
    return f"{hour:02d}:00"


@dataclass(frozen=True)
class ResponseRow:
    """First-response figures of one channel (or all of them), ready to show."""

    channel: str
    answered: int
    unanswered: int
    median: str
    p90: str


@dataclass(frozen=True)
class HourRow:
    """The messages of one hour of the day and their median first response."""

    hour: str
    messages: int
    median: str


@dataclass(frozen=True)
class RateView:
    """One share, its counts and its bar."""

    key: str
    """``qualification``, ``booking`` or ``solved`` (the section's words and id)."""
    shown: str
    counts: str
    """"4 of 12"."""
    chart: Markup


@dataclass(frozen=True)
class DropOffRow:
    """Conversations that stopped at one step of one agent's flow."""

    agent: str
    step: str
    conversations: int


@dataclass(frozen=True)
class DurationView:
    """A distribution of waits, ready to show."""

    count: int
    median: str
    p90: str


@dataclass(frozen=True)
class OutcomeRow:
    """Tickets that ended one way."""

    outcome: str
    tickets: int


@dataclass(frozen=True)
class MetricsView:
    """Every figure of the metrics page, as text and charts."""

    overall: ResponseRow
    channels: tuple[ResponseRow, ...]
    channel_chart: Markup
    hours: tuple[HourRow, ...]
    """Only the hours that had customer messages."""
    hour_chart: Markup
    rates: tuple[RateView, ...]
    drop_offs: tuple[DropOffRow, ...]
    drop_off_chart: Markup
    price_to_payment: DurationView
    outcomes: tuple[OutcomeRow, ...]
    thanks: int
    escalations: int
    opt_outs: int
    truncated: bool


def _response_row(channel: str, times: ResponseTimes, words: Mapping[str, str]) -> ResponseRow:
    return ResponseRow(
        channel,
        times.count,
        times.unanswered,
        duration_text(times.median_s, words),
        duration_text(times.p90_s, words),
    )


def _rate_view(key: str, figure: RateFigure, words: Mapping[str, str]) -> RateView:
    shown = rate_text(figure.rate)
    counts = words["of"].format(numerator=figure.numerator, denominator=figure.denominator)
    return RateView(
        key, shown, counts, rate_bar(figure.rate, title=words[key], shown=shown, empty=words["no_data"])
    )


def _durations(figure: Durations, words: Mapping[str, str]) -> DurationView:
    return DurationView(
        figure.count, duration_text(figure.median_s, words), duration_text(figure.p90_s, words)
    )


def outcome_text(outcome: str, words: Mapping[str, str]) -> str:
    """A ticket outcome in words, or as recorded when it has none."""
    return words.get(f"outcome_{outcome}", outcome)


def metrics_view(report: MetricsReport, words: Mapping[str, str]) -> MetricsView:
    """The page's figures from `report`, in `words`' language."""
    channels = tuple(
        _response_row(entry.channel, entry.times, words) for entry in report.first_response_by_channel
    )
    channel_bars = [
        Bar(entry.channel, entry.times.median_s, duration_text(entry.times.median_s, words))
        for entry in report.first_response_by_channel
    ]
    hour_bars = [
        Bar(
            hour_text(entry.hour),
            entry.median_s if entry.count else None,
            duration_text(entry.median_s, words),
        )
        for entry in report.first_response_by_hour
    ]
    drop_bars = [
        Bar(f"{entry.agent} · {entry.step}", float(entry.conversations), str(entry.conversations))
        for entry in report.drop_offs
    ]
    empty = words["no_data"]
    signals = report.satisfaction
    return MetricsView(
        overall=_response_row(words["overall"], report.first_response, words),
        channels=channels,
        channel_chart=bar_chart(channel_bars, title=words["by_channel_chart"], empty=empty),
        hours=tuple(
            HourRow(hour_text(entry.hour), entry.count, duration_text(entry.median_s, words))
            for entry in report.first_response_by_hour
            if entry.count
        ),
        hour_chart=hour_chart(hour_bars, title=words["by_hour_chart"], empty=empty),
        rates=(
            _rate_view("qualification", report.qualification, words),
            _rate_view("booking", report.booking, words),
            _rate_view("solved", report.solved_without_person, words),
        ),
        drop_offs=tuple(
            DropOffRow(entry.agent, entry.step, entry.conversations) for entry in report.drop_offs
        ),
        drop_off_chart=bar_chart(drop_bars, title=words["drop_offs_chart"], empty=empty),
        price_to_payment=_durations(report.price_to_payment, words),
        outcomes=tuple(
            OutcomeRow(outcome_text(entry.outcome, words), entry.tickets) for entry in signals.ticket_outcomes
        ),
        thanks=signals.thanks,
        escalations=signals.escalations,
        opt_outs=signals.opt_outs,
        truncated=report.truncated,
    )
