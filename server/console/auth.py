"""Who is at the console: the session cookie, the CSRF check and the role check, as FastAPI dependencies.

The session token lives in an HttpOnly, SameSite=Lax cookie scoped to ``/console`` (Secure when the
server is reached over HTTPS); the database stores only its hash. Every state-changing request
carries the session's CSRF token, in the ``X-CSRF-Token`` header (scripts) or a ``csrf_token``
form field (plain forms), and a cross-site ``Origin`` is refused outright. A request without a
valid session is sent to the login page (pages) or answered 401 (scripts and streams).
"""

from __future__ import annotations

import html
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from server.deps import StateDep
from tools.staff_accounts import StaffSession

SESSION_COOKIE = "fd_console"
LOGIN_COOKIE = "fd_login"
"""A random value the login form echoes (login CSRF, before there is a session)."""
COOKIE_PATH = "/console"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(Exception):
    """No valid staff session: a page goes to the login form, anything else gets 401."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """The staff member is logged in but may not do this (an agent changing staff, a bad CSRF token)."""


def secure_cookies(request: Request, public_url: str) -> bool:
    """Whether cookies get the Secure flag: the server is reached over HTTPS."""
    return request.url.scheme == "https" or public_url.startswith("https://")


def set_session_cookie(response: Response, request: Request, token: str, *, public_url: str) -> None:
    """Attach the session cookie (no Max-Age: the server ends idle sessions; the browser ends it on close)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, public_url),
    )


def login_token(request: Request) -> str:
    """The login form's anti-forgery value: the one in the browser's cookie, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def _same_origin(request: Request) -> bool:
    """No ``Origin`` header, or one naming this server's host (``null`` and other sites are refused)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host", "")


async def current_staff(request: Request, state: StateDep) -> StaffSession:
    """The logged-in staff member's session; `LoginRequired` without one."""
    token = request.cookies.get(SESSION_COOKIE)
    session = await state.stores.staff_accounts.session(token) if token else None
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return session


async def checked_staff(
    request: Request, session: Annotated[StaffSession, Depends(current_staff)]
) -> StaffSession:
    """`current_staff`, and for a state-changing request its CSRF token and origin checked."""
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            field = (await request.form()).get("csrf_token")
            sent = field if isinstance(field, str) else None
        if not sent or not secrets.compare_digest(sent, session.csrf_token):
            raise Forbidden(
                "the form is out of date (CSRF token missing or wrong); reload the page and try again"
            )
        if not _same_origin(request):
            raise Forbidden("a request from another site was refused")
    return session


async def admin_staff(session: Annotated[StaffSession, Depends(checked_staff)]) -> StaffSession:
    """`checked_staff` for administrators only (staff accounts and roles)."""
    if not session.account.is_admin:
        raise Forbidden("only an administrator can change staff accounts and roles")
    return session


StaffDep = Annotated[StaffSession, Depends(checked_staff)]
"""The logged-in staff member (CSRF-checked on state-changing requests)."""
AdminDep = Annotated[StaffSession, Depends(admin_staff)]
"""The logged-in administrator."""


def _wants_page(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install_console_errors(app: FastAPI) -> None:
    """Login redirects and 403 pages for the console's routes."""

    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        if _wants_page(request):
            return RedirectResponse(f"/console/login?next={quote(error.next_path, safe='')}", status_code=303)
        return JSONResponse({"detail": "log in to the console first"}, status_code=401)

    async def forbidden(request: Request, error: Exception) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(
                f"<!doctype html><meta charset=utf-8><title>403</title><p>{html.escape(str(error))}</p>"
                '<p><a href="/console">Console</a></p>',
                status_code=403,
            )
        return JSONResponse({"detail": str(error)}, status_code=403)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Forbidden, forbidden)
