"""What finished work starts: a completed service, a delivered order.

Each event has one function here, the single place for everything that follows it. Today: the
booking's reminders stop, one satisfaction question is set for later, and after a demo
(a service with ``demo: true``) the reactivation ladder stays set in case nothing follows. Add a step to the
function (the reactivation ladder after a demo, a review request) and every way the event
arrives (the events API, a future console button) starts it. Every step must be idempotent,
because an event may be reported more than once: schedule timers with a key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from tools.booking_timers import DEPOSIT_DEADLINE, REMINDER, booking_group
from tools.calendar import Booking
from tools.orders import Order
from tools.playbook import Playbook
from tools.reactivation_timers import after_demo
from tools.satisfaction_timers import satisfaction_timer
from tools.timers import Timer, TimerStore


class CompletionStores(Protocol):
    """The stores these flows use (`tools.sql.BusinessStores` has them all)."""

    @property
    def timers(self) -> TimerStore:
        """Durable timers."""
        ...


def _due(timer: Timer) -> str:
    return timer.due_at.astimezone(UTC).isoformat(timespec="minutes")


async def on_service_completed(
    stores: CompletionStores, booking: Booking, *, now: datetime, playbook: Playbook
) -> list[str]:
    """Everything a completed booking starts (and stops); returns what it set, for whoever reported it.

    The answer is the same however often the event is reported (a redelivery reads the same timer).
    """
    started: list[str] = []
    await stores.timers.cancel(
        booking_group(booking.id),
        reason="the service was completed",
        kinds=frozenset({REMINDER, DEPOSIT_DEADLINE}),
    )
    if playbook.service(booking.service_id).demo:  # the ladder if nothing follows (set at booking; once)
        ladder_key, ladder = after_demo(booking, playbook.follow_ups)
        first = await stores.timers.schedule(ladder, key=ladder_key)
        started.append(f"reactivation ladder from {_due(first)} unless something follows")
    key, timer = satisfaction_timer(
        "booking",
        booking.id,
        contact_id=booking.contact_id,
        now=now,
        after_hours=playbook.follow_ups.satisfaction_after_hours,
    )
    scheduled = await stores.timers.schedule(timer, key=key)
    started.append(f"satisfaction question due {_due(scheduled)}")
    return started


async def on_order_delivered(
    stores: CompletionStores, order: Order, *, now: datetime, playbook: Playbook
) -> list[str]:
    """Everything a delivered order starts; returns what it set, for whoever reported it."""
    key, timer = satisfaction_timer(
        "order",
        order.id,
        contact_id=order.contact_id,
        now=now,
        after_hours=playbook.follow_ups.satisfaction_after_hours,
    )
    scheduled = await stores.timers.schedule(timer, key=key)
    return [f"satisfaction question due {_due(scheduled)}"]
