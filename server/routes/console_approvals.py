"""The approvals page: every paused action, decided here or on its conversation's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from server.console.auth import StaffDep
from server.console.pages import back_to, console_language, console_page, words_for
from server.console.views import ApprovalView, approval_view, conversation_path
from server.deps import StateDep
from server.pages import render_text
from server.state import AppState
from tools.conversations import ApprovalStatus
from tools.errors import Conflict, InvalidInput, NotFound

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

APPROVALS = "/console/approvals"


async def _pending(request: Request, state: AppState) -> list[ApprovalView]:
    words = words_for(console_language(request, state))
    views = []
    for approval in await state.stores.conversations.list_approvals(status=ApprovalStatus.PENDING):
        conversation = await state.stores.conversations.get_conversation(approval.conversation_id)
        views.append(approval_view(approval, words, next_path=APPROVALS, conversation=conversation))
    return views


@router.get("/approvals", response_class=HTMLResponse)
async def approvals_page(request: Request, state: StateDep, session: StaffDep) -> HTMLResponse:
    """Paused actions, oldest first, with approve / edit / reject."""
    return await console_page(
        request,
        state,
        session,
        "console/approvals.html",
        section="approvals",
        approvals=await _pending(request, state),
    )


@router.get("/approvals/live")
async def approvals_live(request: Request, state: StateDep, session: StaffDep) -> JSONResponse:
    """The list drawn again after a live update."""
    language = console_language(request, state)
    html = render_text(
        "console/_approval_list.html",
        approvals=await _pending(request, state),
        w=words_for(language),
        csrf=session.csrf_token,
    )
    return JSONResponse({"html": html})


@router.post("/approvals/{approval_id}/decide")
async def decide(approval_id: str, request: Request, state: StateDep, session: StaffDep) -> Response:
    """Approve, edit (with changed values) or reject (with a reason); the conversation resumes at once."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    back = fields.get("next") or APPROVALS
    changes = {
        key.removeprefix("change_"): value for key, value in fields.items() if key.startswith("change_")
    }
    assert state.staff_actions is not None
    try:
        result = await state.staff_actions.decide(
            approval_id, fields.get("action", ""), session.account, note=fields.get("note"), changes=changes
        )
    except (InvalidInput, Conflict, NotFound) as error:
        return back_to(back, APPROVALS, flash=str(error), error=True)
    words = words_for(console_language(request, state))
    return back_to(back, conversation_path(result.conversation_id), flash=words["decision_saved"])
