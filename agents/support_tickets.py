"""Tickets support opens: the case with its fields filled in and the transcript, so nobody asks twice."""

from __future__ import annotations

from agents.base import Turn
from tools.conversations import Direction
from tools.ids import TicketId
from tools.notifications import NewNotification, NotificationKind
from tools.tickets import NewTicket, Ticket, TicketPriority, TicketStatus

TRANSCRIPT_MESSAGES = 20
"""How many of the last messages a ticket carries."""
SOLVED_BY_BOT = "solved_by_bot"
ESCALATED = "escalated"


async def transcript_excerpt(turn: Turn) -> str:
    """The conversation's last messages, one per line, ending with this turn's message."""
    messages = await turn.deps.stores.conversations.transcript(
        turn.conversation_id, limit=TRANSCRIPT_MESSAGES
    )
    lines = [
        f"{'Customer' if m.direction is Direction.IN else m.author}: {m.text}" for m in messages if m.text
    ]
    current = f"Customer: {turn.meaning.text}"
    if not lines or lines[-1] != current:
        lines.append(current)
    return "\n".join(lines[-TRANSCRIPT_MESSAGES:])


async def open_case(
    turn: Turn,
    *,
    category: str,
    facts: dict[str, str],
    priority: TicketPriority = TicketPriority.NORMAL,
    order_number: str | None = None,
    notify: bool = True,
    action: str = "ticket",
) -> Ticket:
    """Open a ticket for the support team with `facts` and the transcript, and tell the team."""
    deps = turn.deps
    summary = "; ".join(f"{name}: {value}" for name, value in facts.items() if value)
    context = f"{summary}\n\nTranscript:\n{await transcript_excerpt(turn)}"
    ticket = await deps.stores.tickets.open_ticket(
        NewTicket(
            turn.contact_id,
            category,
            (facts.get("subject") or turn.meaning.text or category)[:120],
            context[:8000],
            priority=priority,
            conversation_id=turn.conversation_id,
            order_number=order_number,
        ),
        key=turn.key(action),
        actor="agent:support",
    )
    if notify:
        await deps.stores.notifications.notify(
            NewNotification(
                NotificationKind.ESCALATION
                if priority in {TicketPriority.HIGH, TicketPriority.URGENT}
                else NotificationKind.TASK,
                "team:support",
                f"Support ticket {ticket.id}: {category}",
                summary or ticket.subject,
                link=f"{deps.console_url}/console/conversations/{turn.conversation_id}",
            ),
            key=turn.key(f"{action}-notify"),
        )
    return ticket


async def record_solved(
    turn: Turn, *, category: str, facts: dict[str, str], order_number: str | None
) -> Ticket:
    """Record a case the bot solved: a ticket opened and resolved at once, outcome ``solved_by_bot``."""
    ticket = await open_case(
        turn, category=category, facts=facts, order_number=order_number, notify=False, action="solved"
    )
    return await turn.deps.stores.tickets.update_ticket(
        TicketId(ticket.id),
        key=turn.key("solved-status"),
        actor="agent:support",
        status=TicketStatus.RESOLVED,
        outcome=SOLVED_BY_BOT,
    )
