"""The `Clock` port: every piece of business logic reads time through it.

Production code uses `SystemClock`; tests and evals use `FrozenClock`, which
stands still until it is advanced. Every datetime handed out is timezone-aware
and in UTC; local times are derived with `zoneinfo` where a playbook asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current moment."""

    def now(self) -> datetime:
        """Return the current moment as an aware UTC datetime."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> datetime:
        """Return the current moment as an aware UTC datetime."""
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that only moves when told to: for tests, evals and benchmarks."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = ensure_aware(self.current)

    def now(self) -> datetime:
        """Return the frozen moment."""
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` and return the new moment."""
        if delta < timedelta(0):
            raise ValueError(f"a clock only moves forward; got {delta}")
        self.current = self.current + delta
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (which must be aware)."""
        self.current = ensure_aware(moment)


def ensure_aware(moment: datetime) -> datetime:
    """Return `moment` in UTC, refusing naive datetimes with a clear error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()} has no time zone; "
            "pass an aware datetime (e.g. datetime(..., tzinfo=UTC))"
        )
    return moment.astimezone(UTC)
