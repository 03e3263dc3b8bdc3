"""The satisfaction question a completed service or a delivered order sets: one, a while after.

It is keyed by what it asks about (``satisfaction:booking:bk_1``), so an event reported twice, or
by two systems, sets one question. It has a group of its own per customer
(``satisfaction:ct_1``), not the follow-up group: a message from the customer in between does not
cancel it. Follow-ups are for silence, and this question is not one. Whether it still makes sense
is decided when it fires (the customer opened a support case since, staff took the conversation
over, a return is under way).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from tools.timers import NewTimer

SATISFACTION = "satisfaction"
STALE_AFTER = timedelta(days=3)
"""A question this late (the server was down) is dropped: "how was it?" a week later is noise."""

Subject = Literal["booking", "order"]


def satisfaction_group(contact_id: str) -> str:
    """A customer's satisfaction questions (not cancelled by their messages)."""
    return f"satisfaction:{contact_id}"


def satisfaction_timer(
    subject: Subject, subject_id: str, *, contact_id: str, now: datetime, after_hours: int
) -> tuple[str, NewTimer]:
    """The (idempotency key, timer) of the one question about a booking or an order, `after_hours` from `now`."""
    due = now + timedelta(hours=after_hours)
    timer = NewTimer(
        kind=SATISFACTION,
        due_at=due,
        group=satisfaction_group(contact_id),
        subject=f"{subject}:{subject_id}",
        contact_id=contact_id,
        data={subject: subject_id},
        expires_at=due + STALE_AFTER,
    )
    return f"{SATISFACTION}:{subject}:{subject_id}", timer
