"""The console's record pages: the leads pipeline, the bookings calendar, quotes and invoices, tickets and tasks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from server.console.auth import StaffDep
from server.console.calendar_view import calendar_page
from server.console.pages import back_to, console_language, console_page
from server.console.records import pipeline, quotes_and_invoices, tickets_and_tasks
from server.deps import StateDep
from tools.crm import LeadChanges, LeadStage
from tools.errors import Conflict, InvalidInput, NotFound
from tools.ids import LeadId, TaskId, TicketId
from tools.tasks import TaskStatus
from tools.tickets import TicketStatus

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


@router.get("/leads", response_class=HTMLResponse)
async def leads_page(request: Request, state: StateDep, session: StaffDep, owner: str = "") -> HTMLResponse:
    """The pipeline: leads by stage, of everyone or of one owner."""
    language = console_language(request, state)
    sellers = [m for m in state.playbook.staff if m.sales]
    return await console_page(
        request,
        state,
        session,
        "console/leads.html",
        section="leads",
        columns=await pipeline(state.stores, state.playbook, language, owner=owner or None),
        owner=owner,
        owners=[(m.id, m.name.get(language)) for m in sellers],
        stages=[stage.value for stage in LeadStage],
    )


@router.post("/leads/{lead_id}")
async def move_lead(
    lead_id: str,
    state: StateDep,
    session: StaffDep,
    stage: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console/leads",
) -> Response:
    """Move a lead to another stage or owner."""
    try:
        if stage and stage not in LeadStage._value2member_map_:
            raise InvalidInput(f"stage: one of {', '.join(s.value for s in LeadStage)}, got {stage!r}")
        changes = LeadChanges(stage=LeadStage(stage) if stage else None, owner_id=owner or None)
        await state.stores.crm.update_lead(
            LeadId(lead_id), changes, key=f"console-lead:{uuid.uuid4().hex}", actor=session.account.actor
        )
    except (InvalidInput, NotFound, Conflict) as error:
        return back_to(next, "/console/leads", flash=str(error), error=True)
    return back_to(next, "/console/leads")


@router.get("/bookings", response_class=HTMLResponse)
async def bookings_page(
    request: Request, state: StateDep, session: StaffDep, view: str = "week", day: str = "", staff: str = ""
) -> HTMLResponse:
    """Bookings per staff member, for a day or a week."""
    language = console_language(request, state)
    today = state.clock.now().astimezone(state.playbook.business.zone).date()
    try:
        anchor = date.fromisoformat(day) if day else today
    except ValueError:
        anchor = today
    shown = "day" if view == "day" else "week"
    page = await calendar_page(
        state.stores, state.playbook, language, view=shown, anchor=anchor, staff=staff or None
    )
    return await console_page(
        request,
        state,
        session,
        "console/bookings.html",
        section="bookings",
        calendar=page,
        staff=staff,
        members=[(m.id, m.name.get(language)) for m in state.playbook.staff],
        today=today,
    )


@router.get("/billing", response_class=HTMLResponse)
async def billing_page(request: Request, state: StateDep, session: StaffDep) -> HTMLResponse:
    """Quotes, invoices and the payments against them."""
    language = console_language(request, state)
    quotes, invoices = await quotes_and_invoices(state.stores, state.playbook, language)
    return await console_page(
        request, state, session, "console/billing.html", section="billing", quotes=quotes, invoices=invoices
    )


@router.get("/work", response_class=HTMLResponse)
async def work_page(request: Request, state: StateDep, session: StaffDep, team: str = "") -> HTMLResponse:
    """Support tickets and teams' tasks (internal requests, operations hand-offs) with their SLA state."""
    tickets, tasks = await tickets_and_tasks(
        state.stores, state.playbook, state.clock.now(), team=team or None
    )
    return await console_page(
        request,
        state,
        session,
        "console/work.html",
        section="work",
        tickets=tickets,
        tasks=tasks,
        team=team,
        teams=sorted(state.playbook.internal_routing.teams),
        ticket_statuses=[s.value for s in TicketStatus],
        task_statuses=[s.value for s in TaskStatus],
    )


@router.post("/tasks/{task_id}")
async def change_task(
    task_id: str,
    state: StateDep,
    session: StaffDep,
    change: Annotated[str, Form()],
    status: Annotated[str, Form()] = "",
) -> Response:
    """Accept a task (it becomes the staff member's) or move it to another status."""
    tasks = state.stores.tasks
    key = f"console-task:{uuid.uuid4().hex}"
    try:
        if change == "accept":
            await tasks.accept_task(
                TaskId(task_id), session.account.login, key=key, actor=session.account.actor
            )
        elif change == "status" and status in TaskStatus._value2member_map_:
            await tasks.set_task_status(
                TaskId(task_id), TaskStatus(status), key=key, actor=session.account.actor
            )
        else:
            raise InvalidInput(f"unknown change {change!r} / status {status!r}")
    except (InvalidInput, NotFound, Conflict) as error:
        return back_to("/console/work", "/console/work", flash=str(error), error=True)
    return back_to("/console/work", "/console/work")


@router.post("/tickets/{ticket_id}")
async def change_ticket(
    ticket_id: str,
    state: StateDep,
    session: StaffDep,
    status: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Move a ticket on; the customer hears about it in their conversation."""
    assert state.staff_actions is not None
    try:
        if status and status not in TicketStatus._value2member_map_:
            raise InvalidInput(f"status: one of {', '.join(s.value for s in TicketStatus)}, got {status!r}")
        await state.staff_actions.ticket_update(
            TicketId(ticket_id),
            session.account,
            status=TicketStatus(status) if status else None,
            assignee=assignee.strip() or None,
            note=note.strip() or None,
        )
    except (InvalidInput, NotFound, Conflict) as error:
        return back_to("/console/work", "/console/work", flash=str(error), error=True)
    return back_to("/console/work", "/console/work")
