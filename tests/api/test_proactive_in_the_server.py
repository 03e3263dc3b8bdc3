"""The server's timer worker over a real channel: a booking's reminder reaches the customer's Telegram on time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from tests.api.conftest import Served, sent_texts
from tests.api.console_client import CONVERSATION, Customer
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders
from tools.clock import FrozenClock
from tools.inbox import DeliveryStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def test_the_day_before_reminder_arrives_on_telegram(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url) as client:
        await Customer(client).says("здравствуйте")
        for _ in range(200):
            await asyncio.sleep(0.05)
            if not await stores.inbox.deliveries(
                status=DeliveryStatus.PENDING
            ) and not await stores.inbox.last_open_at(CONVERSATION):
                break
    answered = len(providers.texts("telegram"))
    contact = (await stores.conversations.get_conversation(CONVERSATION)).contact_id
    appointments = served.state.runner.deps.appointments
    start = datetime(2027, 3, 3, 15, 0, tzinfo=served.state.playbook.business.zone)
    [slot, *_] = await appointments.free_slots("manicure", start=start, end=start + timedelta(hours=1))
    await appointments.book(
        contact, "manicure", slot, fields={"name": "Анна", "phone": "+79161234567"}, key="b1"
    )

    clock.set(start - timedelta(hours=24, seconds=1))
    await asyncio.sleep(1.5)
    assert len(providers.texts("telegram")) == answered, "not a second early"
    clock.set(start - timedelta(hours=24))
    texts = await sent_texts(providers, "telegram", answered + 1)
    assert "завтра" in texts[-1] and "15:00" in texts[-1]
    await asyncio.sleep(1.5)
    assert len(providers.texts("telegram")) == answered + 1, "once"
