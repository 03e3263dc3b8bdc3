"""Business events from other systems (a shop, a CRM, a payment provider) and what each starts or stops.

Every effect is keyed by the sender and the event's own id, so an event delivered twice does its
work once. A payment recorded from an event or from the built-in payment page goes the same way:
the payment, the customer's notice through their channel, the operations hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from graph import ConversationRunner
from server.outbox_queue import queue_for_sending
from tools.billing import Invoice, InvoiceStatus
from tools.booking_timers import booking_group
from tools.calendar import BookingStatus
from tools.crm import LeadChanges, LeadStage
from tools.followup_timers import followup_group
from tools.ids import BookingId, InvoiceId, LeadId
from tools.sql import BusinessStores


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    """The sender's id of this event: a redelivery with the same id does nothing more."""


class PaymentReceived(_Event):
    """Money arrived for an invoice (a bank, a payment provider, the accounting system)."""

    type: Literal["payment_received"]
    invoice_id: str
    reference: str = Field(min_length=1, max_length=200)
    """The payment's reference in the sender's system."""
    amount_minor: PositiveInt | None = None
    """In minor units (kopecks, cents); the rest of the invoice when left out."""


class AppointmentNoShow(_Event):
    """The customer did not come to a booking."""

    type: Literal["appointment_no_show"]
    booking_id: str


class LeadStatusChanged(_Event):
    """A lead moved in an external CRM; won or lost ends the follow-ups."""

    type: Literal["lead_status_changed"]
    lead_id: str
    stage: LeadStage


BusinessEvent = Annotated[
    PaymentReceived | AppointmentNoShow | LeadStatusChanged, Field(discriminator="type")
]
EVENT_TYPES = ("payment_received", "appointment_no_show", "lead_status_changed")
"""The event types this server accepts."""


@dataclass(frozen=True)
class EventOutcome:
    """What the event did, for the sender."""

    outcome: str


async def pay_invoice(
    stores: BusinessStores,
    runner: ConversationRunner,
    invoice: Invoice,
    *,
    provider: str,
    reference: str,
    key: str,
    amount_minor: int | None = None,
    actor: str,
) -> Invoice:
    """Record a payment once per `key`, tell the customer through their channel and start the hand-off."""
    if invoice.status is InvoiceStatus.OPEN:
        paid = sum(p.amount_minor for p in await stores.billing.payments(invoice.id))
        await stores.billing.record_payment(
            invoice.id,
            amount_minor=amount_minor or max(invoice.amount_minor - paid, 1),
            provider=provider,
            provider_reference=reference,
            key=key,
            actor=actor,
        )
    now = await stores.billing.get_invoice(invoice.id)
    if now.status is InvoiceStatus.PAID:  # once per invoice, however often it is reported
        notices = await runner.invoice_paid(invoice.id)
        await queue_for_sending(notices, conversations=stores.conversations, inbox=stores.inbox)
    return now


async def handle_event(
    event: PaymentReceived | AppointmentNoShow | LeadStatusChanged,
    *,
    sender: str,
    stores: BusinessStores,
    runner: ConversationRunner,
) -> EventOutcome:
    """Carry out `event` from `sender` (an API token's name); NotFound / Conflict for what cannot apply."""
    key = f"event:{sender}:{event.id}"
    actor = f"api:{sender}"
    if isinstance(event, PaymentReceived):
        invoice = await stores.billing.get_invoice(InvoiceId(event.invoice_id))
        paid = await pay_invoice(
            stores,
            runner,
            invoice,
            provider=actor,
            reference=event.reference,
            key=key,
            amount_minor=event.amount_minor,
            actor=actor,
        )
        return EventOutcome(f"invoice {paid.id} is {paid.status.value}")
    if isinstance(event, AppointmentNoShow):
        booking = await stores.calendar.get_booking(BookingId(event.booking_id))
        if booking.status is not BookingStatus.NO_SHOW:
            booking = await stores.calendar.set_status(
                booking.id, BookingStatus.NO_SHOW, key=key, actor=actor, reason="reported by " + sender
            )
        await stores.timers.cancel(booking_group(booking.id), reason="the customer did not come")
        return EventOutcome(f"booking {booking.id} is {booking.status.value}")
    lead = await stores.crm.update_lead(
        LeadId(event.lead_id), LeadChanges(stage=event.stage), key=key, actor=actor
    )
    if lead.stage in (LeadStage.WON, LeadStage.LOST):
        await stores.timers.cancel(followup_group(lead.contact_id), reason=f"the lead is {lead.stage.value}")
    return EventOutcome(f"lead {lead.id} is {lead.stage.value}")
