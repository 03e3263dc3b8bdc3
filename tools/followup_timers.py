"""Follow-ups that wait for the customer's silence: a stalled lead after a price answer, an unpaid quote.

They belong to the customer's follow-up group, which any message from the customer cancels: a
follow-up is for silence, never an answer to someone who has just written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tools.timers import NewTimer

STALLED_LEAD = "stalled_lead"
QUOTE_REMINDER = "quote_reminder"
QUOTE_ALTERNATIVE = "quote_alternative"


def followup_group(contact_id: str) -> str:
    """The customer's follow-ups, cancelled together when they write."""
    return f"followup:{contact_id}"


def stalled_lead_timer(
    *, contact_id: str, conversation_id: str, service_id: str | None, now: datetime, after_hours: int
) -> NewTimer:
    """One reminder `after_hours` after a price answer the customer did not take up."""
    return NewTimer(
        kind=STALLED_LEAD,
        due_at=now + timedelta(hours=after_hours),
        group=followup_group(contact_id),
        subject=f"contact:{contact_id}",
        conversation_id=conversation_id,
        contact_id=contact_id,
        data={"service": service_id or ""},
        expires_at=now + timedelta(hours=after_hours * 3),
    )


def quote_timers(
    *,
    contact_id: str,
    conversation_id: str,
    quote_id: str,
    invoice_id: str,
    now: datetime,
    reminder_hours: int,
    alternative_hours: int,
) -> list[tuple[str, NewTimer]]:
    """A reminder about an unpaid quote, then an offer of a short call or another package."""
    data = {"quote": quote_id, "invoice": invoice_id}
    common = {"group": followup_group(contact_id), "subject": f"quote:{quote_id}"}
    reminder = NewTimer(
        kind=QUOTE_REMINDER,
        due_at=now + timedelta(hours=reminder_hours),
        expires_at=now + timedelta(hours=alternative_hours),
        conversation_id=conversation_id,
        contact_id=contact_id,
        data=data,
        group=common["group"],
        subject=common["subject"],
    )
    alternative = NewTimer(
        kind=QUOTE_ALTERNATIVE,
        due_at=now + timedelta(hours=alternative_hours),
        expires_at=now + timedelta(hours=alternative_hours * 2),
        conversation_id=conversation_id,
        contact_id=contact_id,
        data=data,
        group=common["group"],
        subject=common["subject"],
    )
    return [(f"{QUOTE_REMINDER}:{quote_id}", reminder), (f"{QUOTE_ALTERNATIVE}:{quote_id}", alternative)]
