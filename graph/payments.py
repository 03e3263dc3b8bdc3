"""What happens when an invoice is paid: the customer is told, and a paid project goes to operations."""

from __future__ import annotations

from datetime import timedelta

from agents.context import RunDeps
from tools.billing import InvoiceKind, InvoiceStatus
from tools.conversations import Message, NewReply
from tools.ids import InvoiceId
from tools.notifications import NewNotification, NotificationKind
from tools.task_timers import task_sla_timer
from tools.tasks import NewTask


async def on_invoice_paid(deps: RunDeps, invoice_id: InvoiceId) -> list[Message]:
    """Tell the customer, and for a paid quote hand an operations task package over; once per invoice.

    Returns the messages to deliver to the customer's channel.
    """
    stores = deps.stores
    invoice = await stores.billing.get_invoice(invoice_id)
    if invoice.status is not InvoiceStatus.PAID:
        return []
    conversation = await stores.conversations.latest_for_contact(invoice.contact_id)
    language = (conversation.language if conversation else None) or deps.playbook.business.default_language
    texts = [
        deps.replies.text(
            "payment_received", language, amount=deps.replies.money(invoice.amount_minor, language)
        )
    ]
    if invoice.kind is InvoiceKind.QUOTE and invoice.quote_id is not None:
        quote = await stores.billing.get_quote(invoice.quote_id)
        teams = deps.playbook.internal_routing.teams
        team_id = "operations" if "operations" in teams else next(iter(teams))
        team = teams[team_id]  # type: ignore[index]
        contact = await stores.crm.get_contact(invoice.contact_id)
        lines = "; ".join(f"{item.description} × {item.quantity}" for item in quote.items)
        details = (
            f"Paid invoice {invoice.id} ({invoice.amount_minor / 100:.2f} {invoice.currency}) for quote {quote.id}. "
            f"Scope: {lines}. Assumptions: {'; '.join(quote.assumptions)}. "
            f"Customer: {contact.name or ''} {contact.phone or ''} {contact.email or ''}".strip()
        )
        now = deps.clock.now()
        sla = timedelta(hours=deps.playbook.follow_ups.task_accept_sla_hours)
        task = await stores.tasks.create_task(
            NewTask(
                team_id,
                f"Start work: {quote.service_id or quote.id}",
                details,
                accept_by=now + sla,
                contact_id=invoice.contact_id,
                reference=f"invoice:{invoice.id}",
            ),
            key=f"paid:{invoice.id}:task",
            actor="system",
        )
        sla_key, sla_timer = task_sla_timer(task)
        await stores.timers.schedule(sla_timer, key=sla_key)
        await stores.notifications.notify(
            NewNotification(
                NotificationKind.TASK,
                f"team:{team_id}",
                f"Paid: start work ({quote.service_id})",
                details,
                link=(
                    f"{deps.console_url}/console/conversations/{conversation.id}?task={task.id}"
                    if conversation is not None
                    else f"{deps.console_url}/console/tasks/{task.id}"
                ),
            ),
            key=f"paid:{invoice.id}:notify",
        )
        lang = "ru" if language == "ru" else "en"
        texts.append(
            deps.replies.text(
                "start_instructions", language, team=team.name.get(lang), hours=team.response_hours
            )
        )
    if conversation is None:
        return []
    return [
        await stores.conversations.record_proactive(
            conversation.id, NewReply(text, agent="billing"), key=f"paid:{invoice.id}:{position}"
        )
        for position, text in enumerate(texts)
    ]
