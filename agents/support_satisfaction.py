"""The answer to the satisfaction question after a completed service or a delivered order, handled by support.

The question is a proactive message whose prompt sends the answer here (``expecting:
satisfaction``, the booking or order in the slots). Unhappy: a complaint ticket for the team with
the transcript, at once, and the customer is asked what went wrong unless they said already.
Happy: a "satisfied" record, thanks, and one complementary offer (the service's first `upsell`
item, or a complement of the order's products) valid for `follow_ups.upsell_valid_days`, noted on
the contact so staff honour it; "Book" goes on to the booking coordinator. Anything else is not
an answer: it is answered as usual.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from agents.base import Outcome, Turn
from agents.satisfaction import (
    EXPECTING,
    EXPECTING_DETAILS,
    EXPECTING_OFFER,
    Complement,
    Feeling,
    complement_of_order,
    complement_of_service,
    feeling_of,
    has_details,
    offer_answer,
    offer_buttons,
    question_buttons,
)
from agents.support_tickets import open_case
from tools.ids import TicketId
from tools.intents import Agent, Intent
from tools.money import per_unit
from tools.notifications import NewNotification, NotificationKind
from tools.tickets import TicketPriority, TicketStatus

SATISFIED = "satisfied"
NOT_SATISFIED = "not_satisfied"
"""Ticket outcomes: the console's satisfaction signals count them."""
ACTOR = "agent:support"
SURE = 0.55
"""An unclear answer goes to another specialist only when the classifier is this sure of it."""


async def answer_satisfaction(turn: Turn, outcome: Outcome) -> Outcome | None:
    """Handle an answer to the satisfaction question, its follow-up or the offer; None when it is not one."""
    if turn.expecting == EXPECTING:
        return await _answered(turn, outcome)
    if turn.expecting == EXPECTING_DETAILS:
        return await _details(turn, outcome)
    if turn.expecting == EXPECTING_OFFER:
        return await _offer_answered(turn, outcome)
    return None


def _elsewhere(turn: Turn, outcome: Outcome) -> Outcome | None:
    """Not an answer: support's own questions are answered as usual (None); others go to their
    specialist when the classifier is sure of it, else to small talk or "not understood"."""
    meaning = turn.meaning
    if meaning.agent is Agent.SUPPORT:
        return None
    agent = meaning.agent if _sure_elsewhere(turn) or meaning.agent is Agent.SMALLTALK else Agent.UNKNOWN
    outcome.slots, outcome.done, outcome.transfer = {}, True, agent.value
    return outcome


def _sure_elsewhere(turn: Turn) -> bool:
    """The message is clearly for another specialist (a price, a booking)."""
    meaning = turn.meaning
    return meaning.agent not in {Agent.UNKNOWN, Agent.SMALLTALK} and meaning.confidence >= SURE


def _hours(turn: Turn) -> int:
    team = turn.deps.playbook.internal_routing.teams.get("support")
    return team.response_hours if team else 24


def _facts(turn: Turn, slots: dict[str, str], subject: str) -> dict[str, str]:
    return {
        "subject": f"{subject}: {slots.get('label') or slots.get('about', '')}",
        "about": slots.get("about", ""),
        "answer": turn.meaning.text[:500],
        "language": turn.language,
        "channel": turn.channel,
    }


async def _answered(turn: Turn, outcome: Outcome) -> Outcome | None:
    slots = outcome.slots
    rating_scale = slots.get("scale") == "5"
    feeling = feeling_of(turn.meaning, rating_scale=rating_scale)
    if feeling is Feeling.UNHAPPY:
        return await _unhappy(turn, outcome)
    if feeling is Feeling.HAPPY:
        return await _happy(turn, outcome)
    if turn.meaning.agent is not Agent.SUPPORT and not _sure_elsewhere(turn) and not slots.get("asked_again"):
        slots["asked_again"] = "1"
        buttons = question_buttons(rating_scale, turn.language)
        again = "satisfaction_ask_rating" if rating_scale else "satisfaction_ask_again"
        text = turn.deps.replies.text(again, turn.language)
        return outcome.say(text, *buttons).expect(EXPECTING)
    return _elsewhere(turn, outcome)


async def _unhappy(turn: Turn, outcome: Outcome) -> Outcome:
    """A complaint for the team now (with the transcript); ask what went wrong unless they said."""
    deps = turn.deps
    slots = outcome.slots
    ticket = await open_case(
        turn,
        category="complaint",
        facts=_facts(turn, slots, "Not satisfied"),
        priority=TicketPriority.HIGH,
        order_number=slots.get("order_number") or None,
        action="satisfaction-complaint",
    )
    await deps.stores.tickets.update_ticket(
        TicketId(ticket.id), key=turn.key("satisfaction-outcome"), actor=ACTOR, outcome=NOT_SATISFIED
    )
    outcome.actions.append(f"ticket {ticket.id} opened (not satisfied: {slots.get('about', '')})")
    values = {"ticket": ticket.id, "hours": _hours(turn)}
    if has_details(turn.meaning.text):
        outcome.done = True
        return outcome.say(deps.replies.text("satisfaction_unhappy", turn.language, **values))
    outcome.slots = {**slots, "ticket": ticket.id}
    return outcome.say(deps.replies.text("satisfaction_unhappy_ask", turn.language, **values)).expect(
        EXPECTING_DETAILS
    )


async def _details(turn: Turn, outcome: Outcome) -> Outcome:
    """What went wrong: noted for the ticket, and the team is told."""
    deps = turn.deps
    ticket = outcome.slots.get("ticket", "")
    await deps.stores.crm.add_note(
        turn.contact_id,
        f"What went wrong (ticket {ticket}): {turn.meaning.text}",
        key=turn.key("satisfaction-details"),
        author=ACTOR,
    )
    await deps.stores.notifications.notify(
        NewNotification(
            NotificationKind.TASK,
            "team:support",
            f"Support ticket {ticket}: what went wrong",
            turn.meaning.text[:500],
            link=f"{deps.console_url}/console/conversations/{turn.conversation_id}",
        ),
        key=turn.key("satisfaction-details-notify"),
    )
    outcome.actions.append(f"details added to ticket {ticket}")
    outcome.done = True
    return outcome.say(deps.replies.text("satisfaction_details_added", turn.language, ticket=ticket))


async def _happy(turn: Turn, outcome: Outcome) -> Outcome:
    """A "satisfied" record, thanks, and the one complementary offer when the catalog has one."""
    deps = turn.deps
    slots = outcome.slots
    ticket = await open_case(
        turn, category="feedback", facts=_facts(turn, slots, "Satisfied"), notify=False, action="satisfaction"
    )
    await deps.stores.tickets.update_ticket(
        TicketId(ticket.id),
        key=turn.key("satisfaction-outcome"),
        actor=ACTOR,
        status=TicketStatus.RESOLVED,
        outcome=SATISFIED,
    )
    outcome.actions.append(f"satisfied: {slots.get('about', '')} (ticket {ticket.id})")
    thanks = deps.replies.text("satisfaction_thanks", turn.language)
    playbook = deps.playbook
    complement = (
        complement_of_service(playbook, slots["service"])
        if slots.get("service")
        else complement_of_order(playbook, [p for p in slots.get("products", "").split(",") if p])
    )
    if complement is None:
        outcome.done = True
        return outcome.say(thanks)
    name, price = _item(turn, complement)
    zone = playbook.business.zone
    until = (deps.clock.now() + timedelta(days=playbook.follow_ups.upsell_valid_days)).astimezone(zone).date()
    await deps.stores.crm.add_note(
        turn.contact_id,
        f"Complementary offer after {slots.get('label') or slots.get('about', '')}: {name}, {price}, "
        f"valid until {until.isoformat()} inclusive.",
        key=turn.key("satisfaction-offer"),
        author=ACTOR,
    )
    outcome.actions.append(f"complementary offer: {complement.id} until {until.isoformat()}")
    bookable = complement.kind == "service" and playbook.service(complement.id).bookable
    day = _day(turn, datetime.combine(until, time(12), zone))
    item = f"«{name}»" if turn.language == "ru" else name  # a name inside a Russian sentence
    offer = deps.replies.text("satisfaction_offer", turn.language, item=item, price=price, until=day)
    outcome.slots = {
        **slots,
        "offer": complement.id,
        "offer_kind": "booking" if bookable else complement.kind,
        "offer_until": until.isoformat(),
    }
    return outcome.say(f"{thanks} {offer}", *offer_buttons(bookable, turn.language)).expect(EXPECTING_OFFER)


async def _offer_answered(turn: Turn, outcome: Outcome) -> Outcome | None:
    """Book → the booking coordinator with the service; a product → the team is told; no → thanks."""
    deps = turn.deps
    slots = outcome.slots
    bookable = slots.get("offer_kind") == "booking"
    accepted = offer_answer(turn.meaning, bookable=bookable, language=turn.language)
    if accepted is None and bookable and turn.meaning.intent is Intent.BOOKING_NEW:
        accepted = True
    if accepted is None:
        return _elsewhere(turn, outcome)
    outcome.done = True
    if not accepted:
        outcome.actions.append(f"complementary offer declined: {slots.get('offer', '')}")
        return outcome.say(deps.replies.text("thanks_bye", turn.language))
    item_id = slots.get("offer", "")
    is_service = slots.get("offer_kind") in {"booking", "service"}
    name, price = _item(turn, Complement(item_id, "service" if is_service else "product"))
    until = slots.get("offer_until", "")
    await deps.stores.crm.add_note(
        turn.contact_id,
        f"Accepted the complementary offer: {name}, {price} (valid until {until}).",
        key=turn.key("satisfaction-offer-accepted"),
        author=ACTOR,
    )
    outcome.actions.append(f"complementary offer accepted: {item_id}")
    if bookable:
        outcome.slots, outcome.transfer = {}, "booking"
        outcome.shared["service"] = item_id
        return outcome
    await deps.stores.notifications.notify(
        NewNotification(
            NotificationKind.TASK,
            "team:sales",
            f"Complementary offer accepted: {name}",
            f"The customer accepted {name} at {price}, valid until {until}, after "
            f"{slots.get('label') or slots.get('about', '')}.",
            link=f"{deps.console_url}/console/conversations/{turn.conversation_id}",
        ),
        key=turn.key("satisfaction-offer-notify"),
    )
    return outcome.say(deps.replies.text("satisfaction_offer_taken", turn.language, item=name))


def _item(turn: Turn, complement: Complement) -> tuple[str, str]:
    """The offered item's name and price in the conversation's language."""
    playbook = turn.deps.playbook
    lang = "ru" if turn.language == "ru" else "en"
    item = (
        playbook.service(complement.id) if complement.kind == "service" else playbook.product(complement.id)
    )
    low, high = playbook.minor_units(item.price.low), playbook.minor_units(item.price.high)
    price = turn.deps.replies.price_range(low, high, turn.language) + per_unit(item.price.per, turn.language)
    return item.name.get(lang), price


def _day(turn: Turn, moment: datetime) -> str:
    """A date the way replies show it: "Tue 9 Mar" / "вт, 9 марта"."""
    return turn.deps.replies.when(moment, turn.language).rsplit(",", 1)[0]
