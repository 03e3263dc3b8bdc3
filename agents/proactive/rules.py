"""The rules every proactive message obeys, decided before it is written.

Opt-out drops it. Quiet hours (in the customer's time zone when it is known — their web-chat
browser reports it — else the business's) defer it to their end, never drop it. A customer gets at most `per_customer_daily_cap` proactive messages
a day (later ones wait for the next day), and above `account_hourly_cap` messages in the last
hour all proactive sends halt for a while and staff are told, once an hour. WhatsApp's 24-hour
window is the outbox's business: outside it the playbook's template goes instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tools.playbook import Playbook

BREAKER_PAUSE = timedelta(minutes=15)
"""How long proactive sends wait when the account-wide breaker has tripped."""


@dataclass(frozen=True)
class SendNow:
    """Nothing stands in the way."""


@dataclass(frozen=True)
class DeferUntil:
    """Not now: try again at `at`."""

    at: datetime
    reason: str


@dataclass(frozen=True)
class Drop:
    """Never: the message is not sent at all."""

    reason: str


@dataclass(frozen=True)
class Handled:
    """The flow step did its work without a message to the customer (a notice to staff)."""

    outcome: str


Verdict = SendNow | DeferUntil | Drop


@dataclass(frozen=True)
class SendCounts:
    """How many proactive messages already went out."""

    to_customer_today: int
    """To this customer since the start of their local day."""
    account_last_hour: int
    """To anyone in the last hour."""


def customer_zone(playbook: Playbook, timezone: str | None) -> ZoneInfo:
    """The customer's time zone when known and valid (their browser's), else the business's."""
    if timezone:
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return playbook.business.zone


def quiet_hours_end(playbook: Playbook, now: datetime, zone: ZoneInfo | None = None) -> datetime | None:
    """When the quiet hours `now` falls in end, in `zone` (the customer's; default the business's); None outside them."""
    quiet = playbook.hours.quiet_hours
    zone = zone or playbook.business.zone
    local = now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    end = datetime.combine(local.date(), quiet.end, zone)
    if end <= local:
        end += timedelta(days=1)
    return end


def day_start(playbook: Playbook, now: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The start of the local day of `now` in `zone` (the customer's; default the business's)."""
    zone = zone or playbook.business.zone
    return datetime.combine(now.astimezone(zone).date(), time.min, zone)


def verdict(
    playbook: Playbook, now: datetime, *, opted_out: bool, counts: SendCounts, zone: ZoneInfo | None = None
) -> Verdict:
    """Whether a proactive message may go to a customer now (quiet hours and their day in `zone`)."""
    if opted_out:
        return Drop("the customer opted out")
    follow_ups = playbook.follow_ups
    if counts.account_last_hour >= follow_ups.account_hourly_cap:
        return DeferUntil(now + BREAKER_PAUSE, "account-wide hourly cap reached: proactive sends halted")
    quiet_end = quiet_hours_end(playbook, now, zone)
    if quiet_end is not None:
        return DeferUntil(quiet_end, "quiet hours")
    if counts.to_customer_today >= follow_ups.per_customer_daily_cap:
        tomorrow = day_start(playbook, now, zone) + timedelta(days=1)
        after_quiet = quiet_hours_end(playbook, tomorrow, zone) or tomorrow
        return DeferUntil(after_quiet, "the customer's daily cap of proactive messages")
    return SendNow()
