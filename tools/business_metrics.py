"""The staff console's business metrics: a read model over conversations, leads, bookings and payments.

How fast customers hear back, how many conversations turn into leads and bookings, how many the
bot settles without a person, where customers stop answering, how long a price question takes to
become money, and what customers signal about their satisfaction — all over one period
``[start, end)``. The figures are read from the stores' tables; nothing here writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

PRICE_AGENTS = ("sales", "quoting")
"""Agents whose first answer marks the moment a customer asked about a price."""
PERSON_AGENTS = ("human", "staff")
"""Outbound messages of these agents mean a person was involved (a handoff, or staff writing)."""
FINISHED_INTENTS = ("thanks_bye", "opt_out")
"""A conversation whose last answer is to one of these ended on purpose: it is not a drop-off."""
SILENCE_HOURS = 24
"""A customer silent this long after the bot's last answer has dropped off."""
TOP_DROP_OFFS = 15
"""How many drop-off points a report lists, most frequent first."""
STEP_CHARS = 60
"""A drop-off step without an intent is named by this many first characters of the bot's message."""


@dataclass(frozen=True)
class RateFigure:
    """A share: how many of `denominator` cases were `numerator` cases."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """`numerator / denominator`, or None when there was nothing to count."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Durations:
    """A distribution of waiting times, in seconds."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class ResponseTimes:
    """Seconds from a customer's message to the first reply to it; `unanswered` messages got none."""

    count: int
    median_s: float | None
    p90_s: float | None
    unanswered: int


@dataclass(frozen=True)
class ChannelResponse:
    """First-response times on one channel."""

    channel: str
    times: ResponseTimes


@dataclass(frozen=True)
class HourResponse:
    """First-response times of messages that arrived in one hour of the day (the report's zone)."""

    hour: int
    """0..23, local time."""
    count: int
    median_s: float | None


@dataclass(frozen=True)
class DropOff:
    """Conversations whose customer went silent after one step of one agent's flow."""

    agent: str
    step: str
    """The intent the bot last answered, or the first characters of its message."""
    conversations: int


@dataclass(frozen=True)
class OutcomeCount:
    """Tickets that ended one way (``solved_by_bot``, ``escalated``, ``resolved_by_staff``…)."""

    outcome: str
    tickets: int


@dataclass(frozen=True)
class SatisfactionSignals:
    """What customers said or did that shows how satisfied they were."""

    ticket_outcomes: tuple[OutcomeCount, ...]
    """Tickets opened in the period that have an outcome, by outcome (most frequent first)."""
    thanks: int
    """Customer messages answered as a thank-you or goodbye (intent ``thanks_bye``)."""
    escalations: int
    """Conversations escalated to staff (upset tone, escalation keywords, VIPs, repeats)."""
    opt_outs: int
    """Contacts who opted out of messages."""


@dataclass(frozen=True)
class MetricsReport:
    """Every business figure of one period."""

    start: datetime
    end: datetime
    zone: str
    """The time zone of `first_response_by_hour` (an IANA name)."""
    first_response: ResponseTimes
    """All channels together."""
    first_response_by_channel: tuple[ChannelResponse, ...]
    """One entry per channel that had customer messages, by channel name."""
    first_response_by_hour: tuple[HourResponse, ...]
    """Always 24 entries, hour 0 to 23."""
    qualification: RateFigure
    """Conversations the sales agent answered (denominator) whose contact got a lead (numerator)."""
    booking: RateFigure
    """Conversations the booking agent answered (denominator) whose contact booked (numerator)."""
    solved_without_person: RateFigure
    """Active conversations (denominator) that needed no person (numerator): no takeover, no
    escalation, no handoff or staff message."""
    drop_offs: tuple[DropOff, ...]
    """Where customers stopped answering the bot in the middle of a flow (silent for `SILENCE_HOURS`
    before the period's end), most frequent first, at most `TOP_DROP_OFFS`."""
    price_to_payment: Durations
    """Seconds from a paying customer's first price question to the payment."""
    satisfaction: SatisfactionSignals
    truncated: bool
    """A figure was computed from the first `ROW_LIMIT` rows only (an unusually busy period)."""


class BusinessMetricsReader(Protocol):
    """The business metrics read model."""

    async def report(self, start: datetime, end: datetime, zone: ZoneInfo) -> MetricsReport:
        """The figures of `[start, end)`; hours of the day are counted in `zone`."""
        ...


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` (0..1) percentile of `values`, interpolated linearly between ranks; None if empty.

    The 0.5 percentile is the median: of 30 and 90 it is 60.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations(values: Sequence[float]) -> Durations:
    """The count, median and 90th percentile of `values`."""
    return Durations(len(values), percentile(values, 0.5), percentile(values, 0.9))


def response_times(waits: Sequence[float], unanswered: int) -> ResponseTimes:
    """The first-response figures of `waits` (seconds) and a count of messages never answered."""
    summary = durations(waits)
    return ResponseTimes(summary.count, summary.median_s, summary.p90_s, unanswered)
