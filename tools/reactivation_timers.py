"""The reactivation ladder's timers: a quiet lead gets up to `max_steps` messages, one at a time.

A ladder starts after a quote (``after_quote_hours`` later, or that long after the quote's own
follow-ups when they end later) or after a demo (``after_demo_days`` after a service with
``demo: true`` ends). Each step sets the next one once it is sent, an interval later. The steps
belong to the customer's follow-ups: any message from the customer ends the ladder (they are in
touch; a refusal or an opt-out also marks the lead).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from tools.booking_timers import booking_group
from tools.calendar import Booking
from tools.followup_timers import followup_group
from tools.playbook.flows import FollowUps
from tools.timers import NewTimer

REACTIVATION = "reactivation"
QUOTE_LADDER = "quote"
DEMO_LADDER = "demo"


def ladder_interval(ladder: str, follow_ups: FollowUps) -> timedelta:
    """The time between two steps of a ladder."""
    policy = follow_ups.reactivation
    if ladder == DEMO_LADDER:
        return timedelta(days=policy.after_demo_days)
    return timedelta(hours=policy.after_quote_hours)


def reactivation_step(
    *,
    ladder: str,
    step: int,
    due_at: datetime,
    interval: timedelta,
    contact_id: str,
    subject: str,
    data: Mapping[str, str],
    conversation_id: str | None = None,
    group: str | None = None,
) -> tuple[str, NewTimer]:
    """Step `step` of the ladder about `subject` (``quote:ID`` / ``booking:ID``), keyed once per step.

    It is one of the customer's follow-ups unless another `group` is given.
    """
    timer = NewTimer(
        kind=REACTIVATION,
        due_at=due_at,
        expires_at=due_at + interval,
        group=group or followup_group(contact_id),
        subject=subject,
        conversation_id=conversation_id,
        contact_id=contact_id,
        data={**data, "ladder": ladder, "step": str(step)},
    )
    return f"{REACTIVATION}:{subject}:{step}", timer


def after_quote(
    *,
    contact_id: str,
    conversation_id: str,
    quote_id: str,
    invoice_id: str,
    lead_id: str | None,
    service_id: str | None,
    now: datetime,
    follow_ups: FollowUps,
) -> tuple[str, NewTimer]:
    """The first step after a quote sent with its invoice."""
    interval = ladder_interval(QUOTE_LADDER, follow_ups)
    last_follow_up = timedelta(hours=follow_ups.quote_alternative_hours)
    wait = interval if interval > last_follow_up else last_follow_up + interval
    return reactivation_step(
        ladder=QUOTE_LADDER,
        step=1,
        due_at=now + wait,
        interval=interval,
        contact_id=contact_id,
        subject=f"quote:{quote_id}",
        conversation_id=conversation_id,
        data={
            "quote": quote_id,
            "invoice": invoice_id,
            "lead": lead_id or "",
            "service": service_id or "",
            "since": now.isoformat(),
        },
    )


def after_demo(booking: Booking, follow_ups: FollowUps) -> tuple[str, NewTimer]:
    """The first step after a demo booking ends (it belongs to the booking: moved or cancelled with it)."""
    interval = ladder_interval(DEMO_LADDER, follow_ups)
    return reactivation_step(
        ladder=DEMO_LADDER,
        step=1,
        due_at=booking.end + interval,
        interval=interval,
        contact_id=booking.contact_id,
        subject=f"booking:{booking.id}",
        data={"booking": booking.id, "service": booking.service_id, "since": booking.end.isoformat()},
        group=booking_group(booking.id),
    )
