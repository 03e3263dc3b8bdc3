"""A lead that went quiet after a price answer: one useful reminder with a way to go on."""

from __future__ import annotations

from agents.context import RunDeps
from agents.proactive.fire import Proposal, TemplateUse
from agents.proactive.rules import Drop
from tools.billing import InvoiceStatus
from tools.conversations import NewReply, Owner
from tools.ids import ContactId, InvoiceId, QuoteId
from tools.timers import Timer


async def stalled_lead(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``stalled_lead``: the service asked about and a short-call link (the website, else the phone)."""
    if timer.conversation_id is None or timer.contact_id is None:
        return Drop("no conversation to write in")
    conversation = await deps.stores.conversations.get_conversation(timer.conversation_id)
    if conversation.owner is Owner.STAFF:
        return Drop("staff own the conversation")
    contact_id = ContactId(timer.contact_id)
    if await deps.stores.calendar.list_bookings(contact_id=contact_id, start=timer.created_at):
        return Drop("the customer booked since")
    language = conversation.language or deps.playbook.business.default_language
    service_id = timer.data.get("service") or ""
    try:
        service = deps.playbook.service(service_id).name.get(language) if service_id else ""  # type: ignore[arg-type]
    except KeyError:
        service = ""
    business = deps.playbook.business
    text = deps.replies.text(
        "stalled_lead", language, service=service, link=business.website or business.phone or ""
    )
    reply = NewReply(text, agent="sales", intent="stalled_lead", actions=("follow-up after a price answer",))
    contact = await deps.stores.crm.get_contact(contact_id)
    return Proposal(conversation.id, contact_id, reply, template=_follow_up(contact.name, service))


async def _unpaid(deps: RunDeps, timer: Timer) -> tuple[str, ContactId, str, str] | Drop:
    """The quote's conversation, customer, language and service name, while its invoice is still open."""
    invoice = await deps.stores.billing.get_invoice(InvoiceId(timer.data["invoice"]))
    if invoice.status is not InvoiceStatus.OPEN:
        return Drop(f"the invoice is {invoice.status.value}")
    if timer.conversation_id is None:
        return Drop("no conversation to write in")
    conversation = await deps.stores.conversations.get_conversation(timer.conversation_id)
    if conversation.owner is Owner.STAFF:
        return Drop("staff own the conversation")
    quote = await deps.stores.billing.get_quote(QuoteId(timer.data["quote"]))
    language = conversation.language or deps.playbook.business.default_language
    try:
        service = deps.playbook.service(quote.service_id or "").name.get(language)  # type: ignore[arg-type]
    except KeyError:
        service = quote.items[0].description if quote.items else ""
    return conversation.id, invoice.contact_id, language, service


async def quote_reminder(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``quote_reminder``: did the customer look at the estimate (its payment link still waits)?"""
    found = await _unpaid(deps, timer)
    if isinstance(found, Drop):
        return found
    conversation_id, contact_id, language, service = found
    contact = await deps.stores.crm.get_contact(contact_id)
    text = deps.replies.text("quote_reminder", language, name=contact.name or "", service=service)
    reply = NewReply(text, agent="quoting", intent="quote_reminder")
    return Proposal(conversation_id, contact_id, reply, template=_follow_up(contact.name, service))


async def quote_alternative(deps: RunDeps, timer: Timer) -> Proposal | Drop:
    """``quote_alternative``: a lighter package of the same service, or a short call."""
    found = await _unpaid(deps, timer)
    if isinstance(found, Drop):
        return found
    conversation_id, contact_id, language, service = found
    quote = await deps.stores.billing.get_quote(QuoteId(timer.data["quote"]))
    alternative = _lighter_package(deps, quote.service_id, quote.package_id, language)
    text = deps.replies.text("quote_alternative", language, service=service, alternative=alternative)
    reply = NewReply(text, agent="quoting", intent="quote_alternative")
    contact = await deps.stores.crm.get_contact(contact_id)
    return Proposal(conversation_id, contact_id, reply, template=_follow_up(contact.name, service))


def _follow_up(name: str | None, service: str) -> TemplateUse:
    """The approved ``follow_up`` template's values (for WhatsApp outside its 24-hour window)."""
    return TemplateUse("follow_up", {"name": name or "", "service": service})


def _lighter_package(deps: RunDeps, service_id: str | None, package_id: str | None, language: str) -> str:
    """The cheapest other package of the service, else "a simpler option"."""
    try:
        packages = deps.playbook.service(service_id or "").packages
    except KeyError:
        packages = []
    others = sorted((p for p in packages if p.id != package_id), key=lambda p: p.price.low)
    if others:
        return others[0].name.get(language)  # type: ignore[arg-type]
    return "более простой вариант" if language == "ru" else "a simpler option"
