"""When staff move a ticket on (assigned, in progress, resolved), the customer is told in their conversation."""

from __future__ import annotations

from agents.context import RunDeps
from tools.conversations import Message, NewReply
from tools.ids import TicketId
from tools.tickets import TicketPriority, TicketStatus

_TEMPLATES = {
    TicketStatus.ASSIGNED: "ticket_assigned",
    TicketStatus.IN_PROGRESS: "ticket_in_progress",
    TicketStatus.RESOLVED: "ticket_resolved",
}


async def update_ticket(
    deps: RunDeps,
    ticket_id: TicketId,
    *,
    by: str,
    status: TicketStatus | None = None,
    assignee: str | None = None,
    priority: TicketPriority | None = None,
    note: str | None = None,
) -> list[Message]:
    """Change a ticket as staff (`by` = ``staff:ID``) and tell the customer what changed, once per change.

    Returns the messages to deliver to the customer's channel (none when nothing a customer would
    care about changed, or the ticket has no conversation).
    """
    stores = deps.stores
    before = await stores.tickets.get_ticket(ticket_id)
    outcome = "resolved_by_staff" if status is TicketStatus.RESOLVED and before.outcome is None else None
    change = f"{status or ''}:{assignee or ''}:{priority or ''}"
    ticket = await stores.tickets.update_ticket(
        ticket_id,
        key=f"ticket-update:{ticket_id}:{change}:{note or ''}",
        actor=by,
        status=status,
        assignee=assignee,
        priority=priority,
        outcome=outcome,
    )
    template = _TEMPLATES.get(ticket.status) if ticket.status is not before.status or assignee else None
    if template is None or ticket.conversation_id is None:
        return []
    conversation = await stores.conversations.get_conversation(ticket.conversation_id)
    language = conversation.language or deps.playbook.business.default_language
    text = deps.replies.text(
        template,
        language,
        ticket=ticket.id,
        assignee=_staff_name(deps, ticket.assignee, language),
        note=note or "",
    )
    message = await stores.conversations.record_proactive(
        ticket.conversation_id,
        NewReply(text, agent="support"),
        key=f"ticket-notice:{ticket.id}:{ticket.status}:{ticket.assignee or ''}",
    )
    return [message]


def _staff_name(deps: RunDeps, staff_id: str | None, language: str) -> str:
    if not staff_id:
        return "our team" if language != "ru" else "наша команда"
    try:
        return deps.playbook.staff_member(staff_id.removeprefix("staff:")).name.get(
            "ru" if language == "ru" else "en"
        )
    except KeyError:
        return staff_id
