"""After a completed service or a delivered order: one question, "how was it?", whose answer support reads.

Not asked when it would be out of place: the booking is no longer completed or the order is being
returned, staff own the conversation or must decide on a request in it, the customer contacted
support since (they told us already), or they were asked about something else in the last day
(two services done together get one question). The opt-out, quiet hours and caps are the rules'
business, as for every proactive message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from agents.context import RunDeps
from agents.proactive.fire import Proposal
from agents.proactive.rules import Drop
from agents.satisfaction import EXPECTING, asks_for_rating, question_buttons
from agents.support_satisfaction import SATISFIED
from tools.calendar import BookingStatus
from tools.conversations import DialoguePrompt, NewReply, Owner
from tools.ids import BookingId, ContactId, OrderId
from tools.orders import OrderStatus
from tools.satisfaction_timers import SATISFACTION, satisfaction_group
from tools.timers import Timer, TimerStatus

ONE_QUESTION_PER = timedelta(days=1)
"""At most one satisfaction question to a customer in this long."""


@dataclass(frozen=True)
class _About:
    """What the question is about, in the customer's language, and what support needs to act on the answer."""

    text: str
    slots: Mapping[str, str]


async def satisfaction_question(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``satisfaction``: "how did you like …?" with 👍 / 👎 (or 1–5), answered to support."""
    if timer.contact_id is None:
        return Drop("no customer to ask")
    contact_id = ContactId(timer.contact_id)
    conversation = await deps.stores.conversations.latest_for_contact(contact_id)
    if conversation is None:
        return Drop("the customer has no conversation to write in")
    if conversation.owner is Owner.STAFF:
        return Drop("staff own the conversation")
    if conversation.awaiting_approval:
        return Drop("a request of the customer waits for staff")
    reason = await _out_of_place(deps, timer, contact_id)
    if reason is not None:
        return Drop(reason)
    language = conversation.language or deps.playbook.business.default_language
    contact = await deps.stores.crm.get_contact(contact_id)
    about = await _about(deps, timer, language, contact.name or "")
    if isinstance(about, Drop):
        return about
    text = about.text[:1].upper() + about.text[1:]
    rating_scale = asks_for_rating(text)
    buttons = question_buttons(rating_scale, language)
    slots = {**about.slots, "about": timer.subject, **({"scale": "5"} if rating_scale else {})}
    reply = NewReply(
        text,
        buttons,
        agent="support",
        intent="satisfaction_question",
        actions=(f"satisfaction question about {timer.subject}",),
    )
    prompt = DialoguePrompt(agent="support", expecting=EXPECTING, slots=slots)
    return Proposal(conversation.id, contact_id, reply, prompt=prompt)


async def _out_of_place(deps: RunDeps, timer: Timer, contact_id: ContactId) -> str | None:
    """Why asking now would be out of place, if it would."""
    tickets = await deps.stores.tickets.list_tickets(contact_id=contact_id)
    if any(t.created_at >= timer.created_at and t.outcome != SATISFIED for t in tickets):
        return "the customer contacted support since"
    asked = await deps.stores.timers.timers(group=satisfaction_group(contact_id), status=TimerStatus.DONE)
    now = deps.clock.now()
    for earlier in asked:
        if earlier.kind != SATISFACTION or earlier.id == timer.id:
            continue
        if earlier.subject == timer.subject:
            return f"already asked about {timer.subject}"
        if earlier.fired_at is not None and now - earlier.fired_at < ONE_QUESTION_PER:
            return f"already asked about {earlier.subject} today"
    return None


async def _about(deps: RunDeps, timer: Timer, language: str, name: str) -> _About | Drop:
    """The question naming the service or the order, and the slots support reads the answer with."""
    lang = "ru" if language == "ru" else "en"
    if "booking" in timer.data:
        booking = await deps.stores.calendar.get_booking(BookingId(timer.data["booking"]))
        if booking.status is not BookingStatus.COMPLETED:
            return Drop(f"the booking is {booking.status.value}")
        service = deps.playbook.service(booking.service_id).name.get(lang)
        text = deps.replies.text("satisfaction_question", language, name=name, service=service)
        return _About(text, {"service": booking.service_id, "label": service})
    order = await deps.stores.orders.get_order(OrderId(timer.data["order"]))
    if order.status is not OrderStatus.DELIVERED:
        return Drop(f"the order is {order.status.value}")
    text = deps.replies.text("satisfaction_question_order", language, name=name, order=order.number)
    products = ",".join(item.product_id for item in order.items)
    label = f"заказ {order.number}" if lang == "ru" else f"order {order.number}"
    return _About(text, {"order_number": order.number, "products": products, "label": label})
