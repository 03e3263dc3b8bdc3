"""A staff member's browser for the console API tests: log in, read the CSRF token, post forms."""

from __future__ import annotations

import asyncio
import json
import re

import httpx

from tests.api.conftest import TELEGRAM_SECRET, Served
from tests.channels.payloads import tg_message
from tests.fakes.providers import telegram_secret_headers
from tools.ids import ContactId
from tools.inbox import DeliveryStatus

CHAT = 123456789
"""The Telegram chat of the test customer (`tg_message`'s)."""
CONVERSATION = f"telegram:{CHAT}"
PASSWORD = "correct horse battery"


def form_value(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def csrf_of(html: str) -> str:
    """The page's CSRF token (its meta tag)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert found and found.group(1), "no CSRF token in the page"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, login: str, password: str = PASSWORD) -> httpx.Response:
    """Fill in and send the login form; returns the answer (303 on success)."""
    form = await client.get("/console/login")
    return await client.post(
        "/console/login",
        data={"login": login, "password": password, "login_token": form_value(form.text, "login_token")},
    )


async def csrf(client: httpx.AsyncClient) -> str:
    """The logged-in session's CSRF token, read off the inbox page."""
    page = await client.get("/console/inbox")
    assert page.status_code == 200, page.status_code
    return csrf_of(page.text)


class Customer:
    """The test customer writing to the studio on Telegram."""

    def __init__(self, client: httpx.AsyncClient, *, first_message: int = 500) -> None:
        self._client = client
        self._next = first_message

    async def says(self, text: str) -> None:
        """Post a message as Telegram would."""
        self._next += 1
        body = json.dumps(
            tg_message(update_id=900_000 + self._next, message_id=self._next, text=text)
        ).encode()
        answer = await self._client.post(
            "/webhooks/telegram", content=body, headers=telegram_secret_headers(TELEGRAM_SECRET)
        )
        assert answer.status_code == 200, answer.text


async def answered_customer(served: Served, client: httpx.AsyncClient) -> ContactId:
    """The test customer writes once on Telegram and is answered; returns their contact."""
    await Customer(client).says("здравствуйте")
    await until_answered(served)
    return (await served.state.stores.conversations.get_conversation(CONVERSATION)).contact_id


async def until_answered(served: Served, timeout_s: float = 30.0) -> None:
    """Wait until the test conversation's messages are handled and every reply is sent.

    Handled first: a turn's replies are queued in the transaction that marks its events done, so
    once nothing is open, no reply is still to be queued (the other order races a turn finishing
    between the two reads).
    """
    inbox = served.state.stores.inbox
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        if await inbox.last_open_at(CONVERSATION) is None and not await inbox.deliveries(
            status=DeliveryStatus.PENDING
        ):
            return
    raise TimeoutError(f"the customer was not answered within {timeout_s:g} s")
