"""When pending timers can next be claimed: what an index of due times (Redis) is checked against.

The timers in the database are the truth; an index kept elsewhere for fast pickup drifts (a timer
cancelled by group, scheduled by a process without the index, an index that lost its data), and
is brought back in line with these reads: the claimable moments of some timers, and every pending
timer claimable before a moment.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from tools.timers import Timer, TimerStatus


def claimable_at(timer: Timer) -> datetime | None:
    """When `timer` can be claimed: its due time, or its lease's end when later; None when it is not pending."""
    if timer.status is not TimerStatus.PENDING:
        return None
    if timer.lease_until is not None and timer.lease_until > timer.due_at:
        return timer.lease_until
    return timer.due_at


class TimerDueTimes(Protocol):
    """Reads of the claimable moments of pending timers."""

    async def claimable_at(self, timer_ids: Collection[str]) -> dict[str, datetime]:
        """The claimable moment of each of these timers that is pending (the others are left out)."""
        ...

    async def claimable_until(self, until: datetime, *, limit: int) -> dict[str, datetime]:
        """Pending timers claimable at or before `until` with that moment, earliest first, at most `limit`."""
        ...
