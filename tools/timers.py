"""Durable timers: the proactive messages Frontdesk owes someone later survive restarts.

A timer is scheduled once per key (a booking's reminder, a deposit's deadline, a lead that went
quiet) and waits, pending, for its moment. Workers claim due timers for a lease, act on them, and
finish them (done, dropped as stale, or cancelled), or defer them (quiet hours, caps). A worker
that dies with a claim leaves the timer pending: when its lease runs out another worker claims
it again. Whatever a timer is about can cancel it together with its group (a booking cancelled,
a contact who opted out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class TimerStatus(StrEnum):
    """Where a timer stands."""

    PENDING = "pending"
    """Waiting for its moment, or claimed by a worker that has not finished it yet."""
    DONE = "done"
    """It fired: the worker did what it was for."""
    CANCELLED = "cancelled"
    """What it was about changed (a booking cancelled, a customer who replied)."""
    DROPPED = "dropped"
    """Not fired on purpose: too late to be useful (after downtime) or no longer allowed."""


@dataclass(frozen=True)
class NewTimer:
    """A timer to schedule."""

    kind: str
    """What it does: ``booking_reminder``, ``deposit_deadline``, ``stalled_lead``…"""
    due_at: datetime
    group: str
    """What cancels it together with others: ``booking:bk_1``, ``contact:ct_1``."""
    subject: str = ""
    """What it is about: ``booking:bk_1``."""
    conversation_id: str | None = None
    contact_id: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)
    """What the worker needs to act (a template name, an amount)."""
    expires_at: datetime | None = None
    """Firing later than this is pointless (stale after downtime): the worker drops it instead."""


@dataclass(frozen=True)
class Timer:
    """A scheduled timer."""

    id: str
    key: str
    """The key it was scheduled with: a second schedule with the same key gets this timer."""
    kind: str
    due_at: datetime
    group: str
    subject: str
    conversation_id: str | None
    contact_id: str | None
    data: Mapping[str, str]
    expires_at: datetime | None
    status: TimerStatus
    attempts: int
    """How many times a worker claimed it."""
    lease_owner: str | None
    """The worker that claimed it last (None when not held)."""
    lease_until: datetime | None
    """When that worker's claim runs out: then another worker may claim it."""
    fired_at: datetime | None
    outcome: str | None
    """Why it was finished or last deferred."""
    created_at: datetime
    updated_at: datetime

    def stale(self, now: datetime) -> bool:
        """Whether firing at `now` is later than it may fire (drop it instead)."""
        return self.expires_at is not None and now > self.expires_at


class TimerStore(Protocol):
    """The durable timers."""

    async def schedule(self, timer: NewTimer, *, key: str) -> Timer:
        """Schedule `timer` once per `key`: the same key returns the existing timer unchanged, whatever its status."""
        ...

    async def cancel(self, group: str, *, reason: str, kinds: frozenset[str] | None = None) -> int:
        """Cancel the group's pending timers (only these `kinds` when given) with `reason`; returns how many."""
        ...

    async def claim_due(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Timer]:
        """Take due pending timers whose lease is free for `lease_s` seconds, oldest due first.

        Concurrent workers never get the same timer; one whose lease runs out (its worker died)
        is claimed again. Each claim counts an attempt.
        """
        ...

    async def finish(self, timer_id: str, status: TimerStatus, *, outcome: str) -> Timer:
        """Record how a claimed timer ended (done, dropped or cancelled) and release it; NotFound for an unknown id.

        DONE sets `fired_at`. Only a pending timer changes, except that DONE is recorded over a
        cancel that raced the worker (the message went out); a timer already done stays as it was.
        """
        ...

    async def defer(self, timer_id: str, due_at: datetime, *, reason: str) -> Timer:
        """Move a pending timer to `due_at` and release it (quiet hours, caps); NotFound for an unknown id.

        A timer no longer pending (cancelled while a worker held it) is returned unchanged.
        """
        ...

    async def next_due_at(self) -> datetime | None:
        """When a pending timer can next be claimed (its due time, or its lease's end when held); None when none is."""
        ...

    async def timers(self, *, group: str | None = None, status: TimerStatus | None = None) -> list[Timer]:
        """Timers matching every filter given, by due time."""
        ...
