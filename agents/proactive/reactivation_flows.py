"""The reactivation ladder: a quiet lead gets a useful message from a new angle each time, with two next steps.

A step is sent only while the lead is still quiet and open: the quote's invoice unpaid (or the
demo held and nothing booked since), the lead neither won nor lost, staff not in the
conversation. Each step uses the next angle of the playbook that fits the lead (FAQ, comparison,
case, new free times) and sets the next step once it is sent. The customer's answer goes to the
sales qualifier (`agents.reactivation`): book, a call back, or "no longer relevant", which ends
the ladder and marks the lead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.booking_choice import spread
from agents.context import RunDeps
from agents.proactive.fire import Proposal, TemplateUse
from agents.proactive.rules import Drop
from agents.reactivation import EXPECTING, REACTIVATED_TAG, next_steps
from tools.billing import InvoiceStatus
from tools.calendar import BookingStatus
from tools.conversations import Conversation, DialoguePrompt, NewReply, Owner
from tools.crm import OPEN_STAGES, Lead, LeadChanges
from tools.ids import BookingId, ContactId, InvoiceId, LeadId
from tools.playbook.flows import ReactivationAngle
from tools.reactivation_timers import DEMO_LADDER, ladder_interval, reactivation_step
from tools.timers import NewTimer, Timer


async def reactivation(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``reactivation``: step N of a ladder after a quote or a demo."""
    policy = deps.playbook.follow_ups.reactivation
    ladder, step = timer.data["ladder"], int(timer.data["step"])
    if step > policy.max_steps or timer.contact_id is None:
        return Drop("the ladder is complete")
    contact_id = ContactId(timer.contact_id)
    since = datetime.fromisoformat(timer.data["since"])
    stopped = await _nothing_followed(deps, timer, contact_id, since)
    if stopped is not None:
        return stopped
    conversation = await _conversation(deps, timer, contact_id)
    if conversation is None:
        return Drop("the customer has no conversation to write in")
    if conversation.owner is Owner.STAFF:
        return Drop("staff own the conversation")
    lead = await _lead(deps, timer, contact_id)
    if lead is not None and lead.stage not in OPEN_STAGES:
        return Drop(f"the lead is {lead.stage.value}")
    language = conversation.language or deps.playbook.business.default_language
    service_id = timer.data.get("service") or (lead.service_id if lead is not None else None) or ""
    used = [int(i) for i in timer.data.get("used", "").split(",") if i]
    chosen = await _next_angle(deps, service_id, used, language)
    if chosen is None:
        return Drop("no angle left that fits this lead")
    index, body = chosen
    contact = await deps.stores.crm.get_contact(contact_id)
    name = contact.name or await _name_from_demo(deps, timer)
    text = deps.replies.text("reactivation", language, name=name, message=body)
    if lead is not None and REACTIVATED_TAG not in lead.tags:
        await deps.stores.crm.update_lead(
            lead.id,
            LeadChanges(tags=[*lead.tags, REACTIVATED_TAG]),
            key=f"timer:{timer.id}:tag",
            actor="system:reactivation",
        )
    steps = next_steps(deps.playbook, service_id, language)
    reply = NewReply(
        text,
        tuple(label for label, _ in steps),
        agent="sales",
        intent="reactivation",
        actions=(f"reactivation step {step} ({ladder})",),
    )
    slots = {
        "mode": "reactivation",
        "service": service_id,
        "lead": lead.id if lead is not None else "",
        "steps": ",".join(action for _, action in steps),
    }
    prompt = DialoguePrompt(agent="sales", expecting=EXPECTING, slots=slots)
    then: tuple[tuple[str, NewTimer], ...] = ()
    if step < policy.max_steps:
        interval = ladder_interval(ladder, deps.playbook.follow_ups)
        data = {**timer.data, "used": ",".join(str(i) for i in [*used, index])}
        if lead is not None:
            data["lead"] = lead.id
        then = (
            reactivation_step(
                ladder=ladder,
                step=step + 1,
                due_at=deps.clock.now() + interval,
                interval=interval,
                contact_id=contact_id,
                subject=timer.subject,
                conversation_id=conversation.id,
                data=data,
            ),
        )
    template = TemplateUse(
        "reactivation", {"name": contact.name or "", "service": _name(deps, service_id, language)}
    )
    return Proposal(conversation.id, contact_id, reply, prompt=prompt, then=then, template=template)


async def _nothing_followed(
    deps: RunDeps, timer: Timer, contact_id: ContactId, since: datetime
) -> Drop | None:
    """Why the ladder stops (the quote was paid, the demo did not happen, the customer booked), if it does."""
    if "invoice" in timer.data:
        invoice = await deps.stores.billing.get_invoice(InvoiceId(timer.data["invoice"]))
        if invoice.status is not InvoiceStatus.OPEN:
            return Drop(f"the invoice is {invoice.status.value}")
    demo = timer.data.get("booking")
    if timer.data["ladder"] == DEMO_LADDER and demo:
        booking = await deps.stores.calendar.get_booking(BookingId(demo))
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            return Drop(f"the demo booking is {booking.status.value}")
    later = [
        b
        for b in await deps.stores.calendar.list_bookings(contact_id=contact_id, start=since)
        if b.created_at > since and b.id != demo and b.status is not BookingStatus.CANCELLED
    ]
    if later:
        return Drop("the customer booked since")
    return None


async def _name_from_demo(deps: RunDeps, timer: Timer) -> str:
    """The name given for the demo booking, when the contact has none."""
    if not timer.data.get("booking"):
        return ""
    booking = await deps.stores.calendar.get_booking(BookingId(timer.data["booking"]))
    return booking.fields.get("name", "")


async def _conversation(deps: RunDeps, timer: Timer, contact_id: ContactId) -> Conversation | None:
    if timer.conversation_id:
        return await deps.stores.conversations.get_conversation(timer.conversation_id)
    return await deps.stores.conversations.latest_for_contact(contact_id)


async def _lead(deps: RunDeps, timer: Timer, contact_id: ContactId) -> Lead | None:
    """The lead the ladder is about: the quote's, else the customer's latest open one."""
    if timer.data.get("lead"):
        return await deps.stores.crm.get_lead(LeadId(timer.data["lead"]))
    leads = await deps.stores.crm.list_leads(contact_id=contact_id)
    open_leads = [lead for lead in leads if lead.stage in OPEN_STAGES]
    return open_leads[0] if open_leads else (leads[0] if leads else None)


async def _next_angle(
    deps: RunDeps, service_id: str, used: list[int], language: str
) -> tuple[int, str] | None:
    """The first angle not used yet that fits the lead's service, and its text."""
    for index, angle in enumerate(deps.playbook.follow_ups.reactivation.angles):
        if index in used or (angle.services and service_id not in angle.services):
            continue
        body = await _angle_text(deps, angle, service_id, language)
        if body:
            return index, body
    return None


async def _angle_text(deps: RunDeps, angle: ReactivationAngle, service_id: str, language: str) -> str:
    """What the angle says; for ``slots``, the next free times of a bookable service (empty: none)."""
    service = _name(deps, service_id, language)
    if angle.kind != "slots":
        assert angle.text is not None
        return (angle.text.get(language) or "").replace("{service}", service)
    bookable = [s.id for s in deps.playbook.services if s.bookable]
    target = (
        service_id
        if service_id in bookable
        else next((s.id for s in deps.playbook.services if s.bookable and s.demo), "")
    )
    if not target:
        return ""
    now = deps.clock.now()
    start = now + timedelta(minutes=deps.playbook.booking.min_notice_minutes)
    found = await deps.appointments.free_slots(target, start=start, end=start + timedelta(days=7))
    chosen = spread(found, 3, deps.playbook.business.zone)
    if not chosen:
        return ""
    times = "; ".join(deps.replies.when(slot.start, language) for slot in chosen)
    return deps.replies.text(
        "reactivation_slots", language, service=_name(deps, target, language), slots=times
    )


def _name(deps: RunDeps, service_id: str, language: str) -> str:
    try:
        return deps.playbook.service(service_id).name.get(language) or ""
    except KeyError:
        return ""
