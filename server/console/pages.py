"""Rendering a console page: the layout's context (who, language, CSRF token, waiting approvals) in one place."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from server.console.auth import COOKIE_PATH
from server.console.words import WORDS
from server.pages import page_language, render
from server.state import AppState
from tools.conversations import ApprovalStatus
from tools.playbook._types import Language
from tools.staff_accounts import StaffSession

FLASH_COOKIE = "fd_flash"
ERROR_MARK = "!"


def console_language(request: Request, state: AppState) -> Language:
    """The staff member's language: ``?lang=``, the browser's, else the business's default."""
    return page_language(request, state.playbook.business.default_language)


def words_for(language: Language) -> Mapping[str, str]:
    """The console's words in `language`."""
    return WORDS[language]


async def console_page(
    request: Request,
    state: AppState,
    session: StaffSession | None,
    template: str,
    *,
    section: str = "",
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    """Render `template` inside the console layout."""
    language = console_language(request, state)
    pending = (
        len(await state.stores.conversations.list_approvals(status=ApprovalStatus.PENDING)) if session else 0
    )
    unread = len(await state.stores.notifications.list_notifications(unread_only=True)) if session else 0
    given = context.pop("flash", None)
    flash = given if isinstance(given, str) and given else unquote(request.cookies.get(FLASH_COOKIE, ""))
    flash_kind = context.pop("flash_kind", None) or (
        "error" if flash and flash.startswith(ERROR_MARK) else None
    )
    response = render(
        template,
        status_code=status_code,
        language=language,
        w=WORDS[language],
        business=state.playbook.business.name.get(language),
        me=session.account if session else None,
        csrf=session.csrf_token if session else "",
        section=section,
        pending_approvals=pending,
        unread_notifications=unread,
        flash=(flash or "").removeprefix(ERROR_MARK) or None,
        flash_kind=flash_kind,
        **context,
    )
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH)
    return response


def safe_next(path: str | None, fallback: str) -> str:
    """`path` when it is a console path of this server, else `fallback` (no open redirects)."""
    if path and path.startswith("/console") and not path.startswith(("//", "/\\")) and "\\" not in path:
        return path
    return fallback


def back_to(
    path: str | None, fallback: str, *, flash: str | None = None, error: bool = False
) -> RedirectResponse:
    """303 to a console path, with a message shown once on the next page (kept in a cookie, never in the URL)."""
    response = RedirectResponse(safe_next(path, fallback), status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote((ERROR_MARK if error else "") + flash[:300]),
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
        )
    return response
