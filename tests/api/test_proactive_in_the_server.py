"""The server's timer worker over a real channel: a booking's reminder reaches the customer's Telegram on time."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import httpx
import pytest

from tests.api.conftest import APP_SECRET, Served, sent_texts
from tests.api.console_client import CONVERSATION, Customer, until_answered
from tests.channels.payloads import wa_contact, wa_message, wa_value, wa_webhook
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders, meta_signature_headers
from tools.clock import FrozenClock

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def test_the_day_before_reminder_arrives_on_telegram(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url) as client:
        await Customer(client).says("здравствуйте")
        await until_answered(served)
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


async def test_a_reminder_outside_whatsapps_24_hour_window_goes_as_the_approved_template(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    stores = served.state.stores
    message = wa_message("text", {"body": "здравствуйте"}, timestamp=str(int(clock.now().timestamp())))
    async with httpx.AsyncClient(base_url=served.url) as client:
        body = json.dumps(wa_webhook(wa_value(message, contacts=[wa_contact()]))).encode()
        await client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
        )
        await sent_texts(providers, "whatsapp")
    [conversation] = [c for c in await stores.conversations.list_conversations() if c.channel == "whatsapp"]
    appointments = served.state.runner.deps.appointments
    start = datetime(2027, 3, 3, 15, 0, tzinfo=served.state.playbook.business.zone)
    [slot, *_] = await appointments.free_slots("manicure", start=start, end=start + timedelta(hours=1))
    await appointments.book(
        conversation.contact_id, "manicure", slot, fields={"name": "Анна", "phone": "+16505551234"}, key="b1"
    )

    clock.set(start - timedelta(hours=24))  # the customer last wrote 27 hours earlier
    for _ in range(100):
        templates = [
            c for c in providers.calls_to("whatsapp", accepted_only=True) if c.body.get("type") == "template"
        ]
        if templates:
            break
        await asyncio.sleep(0.05)
    [call] = templates
    template = call.body["template"]
    assert template["name"] == "lumiere_visit_reminder_ru"
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values[0] == "Анна" and "Маникюр" in values[1] and "15:00" in values[2] and values[3]
