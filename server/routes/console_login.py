"""Logging in and out of the staff console."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.console.auth import (
    COOKIE_PATH,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    StaffDep,
    login_token,
    secure_cookies,
    set_session_cookie,
)
from server.console.pages import console_language, console_page, safe_next, words_for
from server.deps import StateDep
from tools.staff_accounts import LoginOutcome

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

INBOX = "/console/inbox"


async def _form(
    request: Request,
    state: StateDep,
    *,
    next_path: str,
    login: str = "",
    message: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = login_token(request)
    response = await console_page(
        request,
        state,
        None,
        "console/login.html",
        status_code=status,
        login_token=token,
        next=next_path,
        login=login,
        flash=message,
        flash_kind="error" if message else None,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, state.settings.effective_public_url),
    )
    return response


@router.get("", include_in_schema=False)
async def console_root() -> RedirectResponse:
    """The console starts at the inbox."""
    return RedirectResponse(INBOX, status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, state: StateDep, next: str = INBOX) -> Response:
    """The login form (straight to the inbox when already logged in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and await state.stores.staff_accounts.session(token):
        return RedirectResponse(safe_next(next, INBOX), status_code=303)
    return await _form(request, state, next_path=safe_next(next, INBOX))


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    state: StateDep,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    login_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = INBOX,
) -> Response:
    """Check the password; on success open a session and go where the staff member was heading."""
    words = words_for(console_language(request, state))
    target = safe_next(next, INBOX)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, login_token):
        return await _form(
            request, state, next_path=target, login=login, message=words["login_expired"], status=400
        )
    result = await state.stores.staff_accounts.authenticate(login, password)
    if result.outcome is LoginOutcome.OK and result.account is not None:
        token, _ = await state.stores.staff_accounts.open_session(result.account.id)
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, request, token, public_url=state.settings.effective_public_url)
        response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
        return response
    if result.outcome is LoginOutcome.LOCKED:
        until = result.locked_until.strftime("%Y-%m-%d %H:%M") if result.locked_until else "?"
        message, status = words["login_locked"].format(until=until), 423
    elif result.outcome is LoginOutcome.DISABLED:
        message, status = words["login_disabled"], 403
    else:
        message, status = words["login_wrong"], 401
    return await _form(request, state, next_path=target, login=login, message=message, status=status)


@router.post("/logout")
async def logout(request: Request, state: StateDep, session: StaffDep) -> RedirectResponse:
    """End this browser's session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    await state.stores.staff_accounts.close_session(token)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
