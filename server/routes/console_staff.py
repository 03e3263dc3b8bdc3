"""Staff accounts in the console: administrators add people, change roles, disable and unlock accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from server.console.auth import AdminDep
from server.console.pages import back_to, console_page
from server.deps import StateDep
from tools.errors import Conflict, InvalidInput, NotFound
from tools.staff_accounts import StaffRole

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

STAFF = "/console/staff"


@router.get("/staff", response_class=HTMLResponse)
async def staff_page(request: Request, state: StateDep, session: AdminDep) -> HTMLResponse:
    """Every staff account, with the forms to change them (administrators only)."""
    return await console_page(
        request,
        state,
        session,
        "console/staff.html",
        section="staff",
        accounts=await state.stores.staff_accounts.list_accounts(),
        roles=[role.value for role in StaffRole],
        members=[member.id for member in state.playbook.staff],
    )


@router.post("/staff")
async def add_staff(
    state: StateDep,
    session: AdminDep,
    login: Annotated[str, Form()],
    name: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
    staff_member: Annotated[str, Form()] = "",
) -> Response:
    """Add an account."""
    try:
        await state.stores.staff_accounts.add_account(
            login,
            name=name.strip() or login,
            role=StaffRole(role) if role in StaffRole._value2member_map_ else StaffRole.AGENT,
            password=password,
            staff_member=staff_member.strip() or None,
            actor=session.account.actor,
        )
    except (InvalidInput, Conflict) as error:
        return back_to(STAFF, STAFF, flash=str(error), error=True)
    return back_to(STAFF, STAFF, flash=f"+ {login}")


@router.post("/staff/{login}")
async def change_staff(
    login: str,
    state: StateDep,
    session: AdminDep,
    change: Annotated[str, Form()],
    role: Annotated[str, Form()] = "",
) -> Response:
    """Change one account: ``role``, ``disable``, ``enable`` or ``unlock``."""
    accounts = state.stores.staff_accounts
    actor = session.account.actor
    try:
        if change == "role" and role in StaffRole._value2member_map_:
            if login == session.account.login and role != StaffRole.ADMIN.value:
                raise InvalidInput("you cannot take the administrator role from yourself")
            await accounts.set_role(login, StaffRole(role), actor=actor)
        elif change in ("disable", "enable"):
            if login == session.account.login:
                raise InvalidInput("you cannot disable your own account")
            await accounts.set_disabled(login, change == "disable", actor=actor)
        elif change == "unlock":
            await accounts.unlock(login, actor=actor)
        else:
            raise InvalidInput(f"unknown change {change!r}")
    except (InvalidInput, NotFound) as error:
        return back_to(STAFF, STAFF, flash=str(error), error=True)
    return back_to(STAFF, STAFF, flash=f"{login}: {change}")
