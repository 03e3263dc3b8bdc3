"""The staff console over real HTTP, on SQLite and PostgreSQL: access, takeover and approvals through a real channel.

The customer writes on Telegram (the local fake Bot API); staff act through the console's forms
with the session cookie and CSRF token a browser would send.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from tests.api.conftest import Served, sent_texts
from tests.api.console_client import CONVERSATION, PASSWORD, Customer, csrf, form_value, log_in
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders
from tools.clock import FrozenClock
from tools.conversations import ApprovalStatus, Owner
from tools.inbox import DeliveryStatus
from tools.staff_accounts import LOCKOUT_ATTEMPTS, StaffRole

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
BRIDAL = ["Рассчитайте, пожалуйста, стоимость свадебной причёски", "12 июня", "4", "1", "1", "1"]
"""The studio's bridal estimate for 5 people: above 30 000 ₽ it waits for the manager."""
ENGLISH = {"accept-language": "en"}
"""Staff read the console in English (the studio's own language is Russian)."""


async def _staff(served: Served, login: str, role: StaffRole = StaffRole.AGENT) -> None:
    await served.state.stores.staff_accounts.add_account(
        login, name=login.title(), role=role, password=PASSWORD, actor="test"
    )


async def _answered(served: Served) -> None:
    """Wait until the customer's messages so far have been answered and the answers sent."""
    inbox = served.state.stores.inbox
    for _ in range(400):
        await asyncio.sleep(0.05)
        if await inbox.last_open_at(CONVERSATION) is None and not await inbox.deliveries(
            status=DeliveryStatus.PENDING
        ):
            return
    raise TimeoutError("the customer's message was not answered")


async def _customer_said(served: Served, customer: Customer, *texts: str) -> None:
    for text in texts:
        await customer.says(text)
        await _answered(served)


async def test_every_console_route_needs_a_login(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        for path in (
            "/console/inbox",
            "/console/approvals",
            "/console/staff",
            f"/console/conversations/{CONVERSATION}",
        ):
            page = await client.get(path, headers={"accept": "text/html"})
            assert page.status_code == 303 and page.headers["location"].startswith("/console/login?next=")
        assert (await client.get("/console/events")).status_code == 401
        assert (await client.get("/console/inbox/rows")).status_code == 401
        refused = await client.post(
            f"/console/conversations/{CONVERSATION}/takeover", data={"csrf_token": "x"}
        )
        assert refused.status_code == 401


OPEN_ROUTES = {"/console", "/console/login", "/console/static/{name}"}
"""The only console routes answered without a session."""


def _api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every endpoint with its full path, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))


async def test_no_console_route_answers_without_a_session(served: Served) -> None:
    routes = [
        (method, path)
        for path, route in _api_routes(served.app.routes)
        if path.startswith("/console") and path not in OPEN_ROUTES
        for method in route.methods or ()
    ]
    assert len(routes) >= 20, routes
    async with httpx.AsyncClient(base_url=served.url) as client:
        for method, path in routes:
            url = path.replace("{conversation_id}", CONVERSATION).replace("{login}", "admin")
            url = (
                url.replace("{approval_id}", "ap_x").replace("{lead_id}", "ld_x").replace("{task_id}", "tk_x")
            )
            url = url.replace("{ticket_id}", "tc_x").replace("{notification_id}", "nt_x")
            answer = await client.request(method, url, data={"csrf_token": "x"} if method == "POST" else None)
            assert answer.status_code == 401, (
                f"{method} {path} answered {answer.status_code} without a session"
            )


async def test_wrong_passwords_lock_the_account_and_logout_ends_the_session(
    served: Served, clock: FrozenClock
) -> None:
    await _staff(served, "vera")
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        answers = [await log_in(client, "vera", "wrong password") for _ in range(LOCKOUT_ATTEMPTS)]
        assert [a.status_code for a in answers] == [401] * (LOCKOUT_ATTEMPTS - 1) + [423]
        assert "locked" in answers[-1].text
        still_locked = await log_in(client, "vera")
        assert still_locked.status_code == 423, "the right password does not open a locked account"
        clock.advance(timedelta(minutes=16))
        opened = await log_in(client, "vera")
        assert opened.status_code == 303 and opened.headers["location"] == "/console/inbox"
        token = await csrf(client)
        assert (await client.post("/console/logout", data={"csrf_token": token})).status_code == 303
        after = await client.get("/console/inbox", headers={"accept": "text/html"})
        assert after.status_code == 303, "the session ended with the logout"


async def test_the_playbooks_staff_get_accounts_that_open_once_a_password_is_set(served: Served) -> None:
    accounts = served.state.stores.staff_accounts
    olga = await accounts.get_account("olga")  # the studio's playbook: console: admin
    assert olga.role is StaffRole.ADMIN and olga.staff_member == "olga" and olga.name == "Ольга Смирнова"
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        assert (await log_in(client, "olga", PASSWORD)).status_code == 401, "no usable password yet"
        await accounts.set_password("olga", PASSWORD, actor="staff:admin")
        assert (await log_in(client, "olga", PASSWORD)).status_code == 303
        assert (await client.get("/console/staff")).status_code == 200, "an administrator"


async def test_a_login_form_from_elsewhere_is_refused(served: Served) -> None:
    await _staff(served, "vera")
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        forged = await client.post(
            "/console/login", data={"login": "vera", "password": PASSWORD, "login_token": "x"}
        )
        assert forged.status_code == 400 and "fd_console" not in forged.headers.get("set-cookie", "")


async def test_a_change_needs_the_csrf_token_and_this_site_as_its_origin(served: Served) -> None:
    await _staff(served, "vera")
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        await Customer(client).says("привет")
        await _answered(served)
        await log_in(client, "vera")
        token = await csrf(client)
        path = f"/console/conversations/{CONVERSATION}/takeover"
        assert (await client.post(path, data={})).status_code == 403
        assert (await client.post(path, data={"csrf_token": "guess"})).status_code == 403
        cross_site = await client.post(
            path, data={"csrf_token": token}, headers={"origin": "https://evil.example"}
        )
        assert cross_site.status_code == 403
        conversation = await served.state.stores.conversations.get_conversation(CONVERSATION)
        assert conversation.owner is Owner.BOT, "nothing changed"
        assert (await client.post(path, data={"csrf_token": token})).status_code == 303
        scripted = await client.post(
            f"/console/conversations/{CONVERSATION}/handback", headers={"x-csrf-token": token}
        )
        assert scripted.status_code == 303


async def test_an_agent_cannot_change_staff_or_roles(served: Served) -> None:
    await _staff(served, "boss", StaffRole.ADMIN)
    await _staff(served, "vera")
    accounts = served.state.stores.staff_accounts
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as agent:
        await log_in(agent, "vera")
        token = await csrf(agent)
        assert (await agent.get("/console/staff", headers={"accept": "text/html"})).status_code == 403
        promote = await agent.post(
            "/console/staff/vera", data={"csrf_token": token, "change": "role", "role": "admin"}
        )
        assert promote.status_code == 403
        add = {"csrf_token": token, "login": "mallory", "name": "M", "role": "admin", "password": PASSWORD}
        assert (await agent.post("/console/staff", data=add)).status_code == 403
        assert (
            "staff"
            not in (await agent.get("/console/inbox")).text.split("<main")[0].lower().split("approvals")[1]
        )
    assert (await accounts.get_account("vera")).role is StaffRole.AGENT
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as admin:
        await log_in(admin, "boss")
        token = await csrf(admin)
        add = {"csrf_token": token, "login": "ivan", "name": "Иван", "role": "agent", "password": PASSWORD}
        assert (await admin.post("/console/staff", data=add)).status_code == 303
        weak = {**add, "login": "petr", "password": "short"}
        await admin.post("/console/staff", data=weak)
        promote = await admin.post(
            "/console/staff/vera", data={"csrf_token": token, "change": "role", "role": "admin"}
        )
        assert promote.status_code == 303
    assert (await accounts.get_account("vera")).role is StaffRole.ADMIN
    assert (await accounts.get_account("ivan")).name == "Иван"
    assert "petr" not in [a.login for a in await accounts.list_accounts()], "a weak password is refused"


async def test_take_over_reply_and_hand_back_through_the_customers_channel(
    served: Served, providers: FakeProviders
) -> None:
    await _staff(served, "vera")
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        customer = Customer(client)
        await _customer_said(served, customer, "здравствуйте")
        bot_said = len(await sent_texts(providers, "telegram"))
        await log_in(client, "vera")
        token = await csrf(client)
        base = f"/console/conversations/{CONVERSATION}"

        early = await client.post(f"{base}/reply", data={"csrf_token": token, "text": "Добрый день!"})
        assert early.status_code == 303 and "fd_flash" in early.headers.get("set-cookie", "")
        assert (await client.post(f"{base}/takeover", data={"csrf_token": token})).status_code == 303
        await _customer_said(served, customer, "хочу на маникюр")
        await asyncio.sleep(0.5)
        assert len(providers.texts("telegram")) == bot_said, "the bot stays silent after the takeover"

        await client.post(
            f"{base}/reply", data={"csrf_token": token, "text": "Добрый день! Я Ольга, подберу вам время"}
        )
        texts = await sent_texts(providers, "telegram", bot_said + 1)
        assert texts[-1] == "Добрый день! Я Ольга, подберу вам время"
        page = await client.get(base)
        assert "Я Ольга" in page.text and "хочу на маникюр" in page.text and "Taken over by vera" in page.text

        assert (await client.post(f"{base}/handback", data={"csrf_token": token})).status_code == 303
        await _customer_said(served, customer, "Сколько стоит маникюр?")
        texts = await sent_texts(providers, "telegram", bot_said + 2)
        assert any("1 800 ₽" in text for text in texts[bot_said + 1 :]), texts
    conversation = await served.state.stores.conversations.get_conversation(CONVERSATION)
    assert conversation.owner is Owner.BOT
    audit = [e.action for e in await served.state.stores.audit.entries(entity_id=CONVERSATION)]
    assert "conversation.taken_over" in audit and "conversation.handed_back" in audit


async def test_a_paused_estimate_is_decided_in_the_console_and_the_customer_is_answered(
    served: Served, providers: FakeProviders
) -> None:
    await _staff(served, "vera")
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        await _customer_said(served, Customer(client), *BRIDAL)
        [approval] = await stores.conversations.list_approvals(status=ApprovalStatus.PENDING)
        before = len(providers.texts("telegram"))
        await log_in(client, "vera")
        token = await csrf(client)
        page = await client.get("/console/approvals")
        assert approval.id in page.text and "Estimate" in page.text
        decide = f"/console/approvals/{approval.id}/decide"

        no_reason = await client.post(decide, data={"csrf_token": token, "action": "reject", "note": " "})
        bad_number = await client.post(
            decide, data={"csrf_token": token, "action": "edit", "change_low": "lots", "change_high": "40000"}
        )
        for refused in (no_reason, bad_number):
            assert refused.status_code == 303 and "fd_flash" in refused.headers["set-cookie"]
        assert (await stores.conversations.get_approval(approval.id)).status is ApprovalStatus.PENDING

        edited = await client.post(
            decide,
            data={"csrf_token": token, "action": "edit", "change_low": "31000", "change_high": "31 000"},
        )
        assert edited.status_code == 303
        texts = await sent_texts(providers, "telegram", before + 1)
        assert any("31 000 ₽" in text for text in texts[before:]), texts[before:]
        again = await client.post(decide, data={"csrf_token": token, "action": "approve"})
        assert "fd_flash" in again.headers["set-cookie"], "a second decision is refused"
    decided = await stores.conversations.get_approval(approval.id)
    assert decided.status is ApprovalStatus.EDITED and decided.decided_by == "staff:vera"
    assert dict(decided.changes) == {"low": "31000", "high": "31000"}


async def test_the_event_stream_names_a_conversation_when_it_changes(
    served: Served, clock: FrozenClock
) -> None:
    await _staff(served, "vera")
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH, timeout=20) as client:
        await log_in(client, "vera")
        async with client.stream("GET", "/console/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            clock.advance(timedelta(seconds=30))
            async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as other:
                await Customer(other).says("привет")
            async with asyncio.timeout(15):
                async for line in stream.aiter_lines():
                    if line.startswith("data: ") and CONVERSATION in json.loads(line[6:]).get(
                        "conversations", []
                    ):
                        break
        rows = await client.get("/console/inbox/rows")
        assert f'data-conversation="{CONVERSATION}"' in rows.text
        page = await client.get(f"/console/conversations/{CONVERSATION}")
        assert "привет" in page.text and form_value(page.text, "csrf_token")
