"""Business events from other systems (a shop, a CRM, a payment provider) and what each starts or stops.

Every effect is keyed by the sender and the event's own id, so an event delivered twice does its
work once. A payment recorded from an event or from the built-in payment page goes the same way:
the payment, the customer's notice through their channel, the operations hand-off. A completed
service or a delivered order starts what `tools.completion_flows` lists (the satisfaction question).
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
from tools.completion_flows import on_order_delivered, on_service_completed
from tools.crm import LeadChanges, LeadStage
from tools.errors import Conflict, NotFound
from tools.followup_timers import followup_group
from tools.ids import BookingId, InvoiceId, LeadId, OrderId
from tools.orders import Order, OrderStatus
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


class ServiceCompleted(_Event):
    """A booked service was performed: the booking is completed, and the satisfaction question is set."""

    type: Literal["service_completed"]
    booking_id: str


class OrderDelivered(_Event):
    """A shipped order reached the customer: it is delivered, and the satisfaction question is set."""

    type: Literal["order_delivered"]
    order_id: str
    """Frontdesk's id of the order (``or_…``) or its number as the customer knows it."""


AnyEvent = PaymentReceived | AppointmentNoShow | LeadStatusChanged | ServiceCompleted | OrderDelivered
BusinessEvent = Annotated[AnyEvent, Field(discriminator="type")]
EVENT_TYPES = (
    "payment_received",
    "appointment_no_show",
    "lead_status_changed",
    "service_completed",
    "order_delivered",
)
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
    event: AnyEvent,
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
    if isinstance(event, ServiceCompleted | OrderDelivered):
        return await _finished(event, sender=sender, stores=stores, runner=runner)
    lead = await stores.crm.update_lead(
        LeadId(event.lead_id), LeadChanges(stage=event.stage), key=key, actor=actor
    )
    if lead.stage in (LeadStage.WON, LeadStage.LOST):
        await stores.timers.cancel(followup_group(lead.contact_id), reason=f"the lead is {lead.stage.value}")
    return EventOutcome(f"lead {lead.id} is {lead.stage.value}")


async def _finished(
    event: ServiceCompleted | OrderDelivered,
    *,
    sender: str,
    stores: BusinessStores,
    runner: ConversationRunner,
) -> EventOutcome:
    """The booking completed or the order delivered (Conflict when its state forbids it), then what follows."""
    key = f"event:{sender}:{event.id}"
    actor = f"api:{sender}"
    now, playbook = runner.deps.clock.now(), runner.deps.playbook
    if isinstance(event, ServiceCompleted):
        booking = await stores.calendar.get_booking(BookingId(event.booking_id))
        if booking.status is not BookingStatus.COMPLETED:  # a cancelled or missed one: Conflict (409)
            booking = await stores.calendar.set_status(
                booking.id, BookingStatus.COMPLETED, key=key, actor=actor, reason="reported by " + sender
            )
        started = await on_service_completed(stores, booking, now=now, playbook=playbook)
        return EventOutcome("; ".join([f"booking {booking.id} is {booking.status.value}", *started]))
    order = await _order(stores, event.order_id)
    if order.status is OrderStatus.SHIPPED:
        order = await stores.orders.set_order_status(
            order.id, OrderStatus.DELIVERED, key=key, actor=actor, note="reported by " + sender
        )
    elif not any(change.status is OrderStatus.DELIVERED for change in order.history):
        raise Conflict(f"order {order.number} is {order.status.value}; only a shipped order can be delivered")
    started = await on_order_delivered(stores, order, now=now, playbook=playbook)
    return EventOutcome("; ".join([f"order {order.number} is {order.status.value}", *started]))


async def _order(stores: BusinessStores, reference: str) -> Order:
    """An order by Frontdesk's id or by its number (NotFound when neither matches)."""
    try:
        return await stores.orders.get_order(OrderId(reference))
    except NotFound:
        order = await stores.orders.order_by_number(reference)
        if order is None:
            raise NotFound(f"no order with the id or number {reference!r}") from None
        return order
