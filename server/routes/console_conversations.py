"""The console's inbox and conversation pages, and what staff do on them (take over, reply, hand back, notes)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from server.console.actions import StaffActions
from server.console.auth import StaffDep
from server.console.pages import back_to, console_language, console_page, words_for
from server.console.views import conversation_path, conversation_view, inbox_line
from server.deps import StateDep
from server.pages import render_text
from server.state import AppState
from tools.conversation_list import ConversationFilter, ConversationState
from tools.errors import Conflict, InvalidInput

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

CHANNELS = ("telegram", "whatsapp", "messenger", "instagram", "webchat")
SUGGESTED_TAGS = ("hot", "nurture", "vip")


def _filters(request: Request) -> tuple[ConversationFilter, dict[str, str]]:
    """The inbox filter from the query string, and the values to show back in the form."""
    query = request.query_params
    shown = {key: query.get(key, "").strip() for key in ("channel", "state", "staff", "tag", "q")}
    state_value = shown["state"]
    where = ConversationFilter(
        channel=shown["channel"] or None,
        state=ConversationState(state_value) if state_value in ConversationState._value2member_map_ else None,
        staff=shown["staff"] or None,
        tag=shown["tag"] or None,
        search=shown["q"] or None,
    )
    return where, {key: value for key, value in shown.items() if value}


async def _lines(request: Request, state: AppState, where: ConversationFilter) -> list[object]:
    words = words_for(console_language(request, state))
    zone = state.playbook.business.zone
    return [inbox_line(row, zone, words) for row in await state.stores.conversation_list.rows(where)]


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, state: StateDep, session: StaffDep) -> HTMLResponse:
    """Every conversation across channels, filtered and searched, updated live."""
    where, shown = _filters(request)
    return await console_page(
        request,
        state,
        session,
        "console/inbox.html",
        section="inbox",
        rows=await _lines(request, state, where),
        filters=shown,
        query=urlencode(shown),
        channels=CHANNELS,
        states=[s.value for s in ConversationState],
        accounts=await state.stores.staff_accounts.list_accounts(),
        tags=SUGGESTED_TAGS,
    )


@router.get("/inbox/rows", response_class=HTMLResponse)
async def inbox_rows(request: Request, state: StateDep, session: StaffDep) -> HTMLResponse:
    """The inbox table's rows for the same filters (the live update redraws them)."""
    where, _ = _filters(request)
    language = console_language(request, state)
    html = render_text(
        "console/_inbox_rows.html", rows=await _lines(request, state, where), w=words_for(language)
    )
    return HTMLResponse(html)


async def _view_context(request: Request, state: AppState, conversation_id: str) -> dict[str, object]:
    language = console_language(request, state)
    words = words_for(language)
    view = await conversation_view(state.stores, state.playbook, conversation_id, words, language)
    return {"view": view, "w": words, "language": language}


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    conversation_id: str, request: Request, state: StateDep, session: StaffDep
) -> HTMLResponse:
    """One conversation: transcript with agents and actions, the customer card, approvals, takeover."""
    context = await _view_context(request, state, conversation_id)
    return await console_page(
        request, state, session, "console/conversation.html", section="inbox", view=context["view"]
    )


@router.get("/conversations/{conversation_id}/live")
async def conversation_live(
    conversation_id: str, request: Request, state: StateDep, session: StaffDep
) -> JSONResponse:
    """The page's changing parts, drawn again after a live update."""
    context = await _view_context(request, state, conversation_id)
    context["csrf"] = session.csrf_token
    view = context["view"]
    return JSONResponse(
        {
            "version": view.version,  # type: ignore[attr-defined]
            "staff_owned": view.staff_owned,  # type: ignore[attr-defined]
            "status": render_text("console/_status.html", **context),
            "transcript": render_text("console/_transcript.html", **context),
            "card": render_text("console/_card.html", **context),
        }
    )


def _actions(state: AppState) -> StaffActions:
    assert state.staff_actions is not None, "the console's actions are built in the lifespan"
    return state.staff_actions


@router.post("/conversations/{conversation_id}/takeover")
async def take_over(conversation_id: str, state: StateDep, session: StaffDep) -> Response:
    """Staff own the conversation; the bot goes silent."""
    await _actions(state).take_over(conversation_id, session.account)
    return back_to(conversation_path(conversation_id), "/console/inbox")


@router.post("/conversations/{conversation_id}/handback")
async def hand_back(conversation_id: str, state: StateDep, session: StaffDep) -> Response:
    """The bot answers again from the customer's next message."""
    await _actions(state).hand_back(conversation_id, session.account)
    return back_to(conversation_path(conversation_id), "/console/inbox")


@router.post("/conversations/{conversation_id}/reply")
async def reply(
    conversation_id: str, state: StateDep, session: StaffDep, text: Annotated[str, Form()] = ""
) -> Response:
    """Send the customer a message through their channel (only while staff own the conversation)."""
    path = conversation_path(conversation_id)
    try:
        await _actions(state).reply(conversation_id, text, session.account)
    except (InvalidInput, Conflict) as error:
        return back_to(path, path, flash=str(error), error=True)
    return back_to(path, path)


@router.post("/conversations/{conversation_id}/notes")
async def add_note(
    conversation_id: str, state: StateDep, session: StaffDep, text: Annotated[str, Form()] = ""
) -> Response:
    """An internal note on the customer."""
    path = conversation_path(conversation_id)
    try:
        await _actions(state).note(conversation_id, text, session.account)
    except InvalidInput as error:
        return back_to(path, path, flash=str(error), error=True)
    return back_to(path, path)
