"""The console's record pages as plain rows: leads by stage, quotes and invoices, tickets and tasks with SLA state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from server.console.people import People
from server.console.views import when
from tools.billing import InvoiceStatus
from tools.crm import LeadStage
from tools.money import format_money, format_range
from tools.playbook import Playbook
from tools.sql import BusinessStores
from tools.tasks import SlaState
from tools.tickets import TicketStatus

LIST_LIMIT = 300
"""The most records a list shows (newest first)."""


@dataclass(frozen=True)
class LeadCard:
    """A lead in the pipeline."""

    id: str
    customer: str
    link: str | None
    service: str
    tags: tuple[str, ...]
    owner: str
    source: str
    summary: str
    created: str
    stage: str


@dataclass(frozen=True)
class StageColumn:
    """One stage of the pipeline with its leads."""

    stage: str
    leads: tuple[LeadCard, ...]


def _service_name(playbook: Playbook, service_id: str | None, language: str) -> str:
    if not service_id:
        return "—"
    try:
        return playbook.service(service_id).name.get(language)  # type: ignore[arg-type]
    except KeyError:
        return service_id


async def pipeline(
    stores: BusinessStores, playbook: Playbook, language: str, *, owner: str | None
) -> tuple[StageColumn, ...]:
    """Leads by stage (newest first in each), of one owner when given."""
    zone = playbook.business.zone
    people = People(stores)
    leads = (await stores.crm.list_leads(owner_id=owner or None))[:LIST_LIMIT]
    columns: dict[LeadStage, list[LeadCard]] = {stage: [] for stage in LeadStage}
    for lead in leads:
        person = await people.of(lead.contact_id)
        source = lead.source.channel + (f" · {lead.source.detail}" if lead.source.detail else "")
        columns[lead.stage].append(
            LeadCard(
                id=lead.id,
                customer=person.name,
                link=person.link,
                service=_service_name(playbook, lead.service_id, language),
                tags=lead.tags,
                owner=lead.owner_id or "—",
                source=source,
                summary=(lead.summary or "")[:200],
                created=when(lead.created_at, zone),
                stage=lead.stage.value,
            )
        )
    return tuple(StageColumn(stage.value, tuple(cards)) for stage, cards in columns.items())


@dataclass(frozen=True)
class BillingLine:
    """A quote or an invoice."""

    id: str
    customer: str
    link: str | None
    what: str
    amount: str
    status: str
    when: str
    detail: str


async def quotes_and_invoices(
    stores: BusinessStores, playbook: Playbook, language: str
) -> tuple[tuple[BillingLine, ...], tuple[BillingLine, ...]]:
    """Quotes (amount range, status, valid until) and invoices (amount, status, due or paid, payments)."""
    zone = playbook.business.zone
    people = People(stores)
    quotes = []
    for quote in (await stores.billing.list_quotes())[:LIST_LIMIT]:
        person = await people.of(quote.contact_id)
        quotes.append(
            BillingLine(
                id=quote.id,
                customer=person.name,
                link=person.link,
                what=_service_name(playbook, quote.service_id, language),
                amount=format_range(quote.total_low_minor, quote.total_high_minor, quote.currency, language),
                status=quote.status.value,
                when=when(quote.valid_until, zone),
                detail="; ".join(quote.assumptions)[:200],
            )
        )
    invoices = []
    for invoice in (await stores.billing.list_invoices())[:LIST_LIMIT]:
        person = await people.of(invoice.contact_id)
        payments = await stores.billing.payments(invoice.id)
        paid = ", ".join(
            f"{format_money(p.amount_minor, p.currency, language)} {p.provider} {when(p.created_at, zone)}"
            for p in payments
        )
        moment = invoice.paid_at if invoice.status is InvoiceStatus.PAID else invoice.due_at
        invoices.append(
            BillingLine(
                id=invoice.id,
                customer=person.name,
                link=person.link,
                what=invoice.description,
                amount=format_money(invoice.amount_minor, invoice.currency, language),
                status=invoice.status.value,
                when=when(moment, zone),
                detail=paid,
            )
        )
    return tuple(quotes), tuple(invoices)


@dataclass(frozen=True)
class WorkLine:
    """A ticket or a task, with where it stands against its deadline."""

    id: str
    customer: str
    link: str | None
    title: str
    team: str
    status: str
    owner: str
    sla: str
    """``on_track``, ``breached`` or ``met``."""
    deadline: str
    created: str
    priority: str = ""
    open: bool = True


def ticket_sla(created_at: datetime, status: TicketStatus, response_hours: int, now: datetime) -> SlaState:
    """A ticket is answered in time when someone took it within the support team's response hours."""
    if status is not TicketStatus.NEW:
        return SlaState.MET
    return SlaState.BREACHED if now > created_at + timedelta(hours=response_hours) else SlaState.ON_TRACK


async def tickets_and_tasks(
    stores: BusinessStores, playbook: Playbook, now: datetime, *, team: str | None
) -> tuple[tuple[WorkLine, ...], tuple[WorkLine, ...]]:
    """Support tickets and teams' tasks (internal requests, operations hand-offs), open ones first."""
    zone = playbook.business.zone
    people = People(stores)
    teams = set(playbook.internal_routing.teams)
    support = playbook.internal_routing.teams.get("support")
    hours = support.response_hours if support else 24
    tickets = []
    if team in (None, "", "support"):
        for ticket in (await stores.tickets.list_tickets())[:LIST_LIMIT]:
            person = await people.of(ticket.contact_id)
            is_open = ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
            tickets.append(
                WorkLine(
                    id=ticket.id,
                    customer=person.name,
                    link=person.link,
                    title=f"{ticket.subject}" + (f" · {ticket.order_number}" if ticket.order_number else ""),
                    team=ticket.category,
                    status=ticket.status.value,
                    owner=ticket.assignee or "—",
                    sla=ticket_sla(ticket.created_at, ticket.status, hours, now).value,
                    deadline=when(ticket.created_at + timedelta(hours=hours), zone),
                    created=when(ticket.created_at, zone),
                    priority=ticket.priority.value,
                    open=is_open,
                )
            )
    tasks = []
    for task in (await stores.tasks.list_tasks(team=team or None))[:LIST_LIMIT]:
        person = await people.of(task.contact_id)
        tasks.append(
            WorkLine(
                id=task.id,
                customer=person.name,
                link=person.link,
                title=task.title,
                team=task.team if task.team in teams else f"{task.team}?",
                status=task.status.value,
                owner=task.owner_id or "—",
                sla=task.sla(now).value,
                deadline=when(task.accept_by, zone),
                created=when(task.created_at, zone),
                open=task.status.value in ("open", "accepted", "in_progress"),
            )
        )
    return _open_first(tickets), _open_first(tasks)


def _open_first(lines: list[WorkLine]) -> tuple[WorkLine, ...]:
    return tuple(sorted(lines, key=lambda line: not line.open))
