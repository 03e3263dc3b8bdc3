"""What each channel's special events do, over real HTTP against the fake providers.

An Instagram comment gets one private reply under it and opens a lead from the post; a Telegram
button press is acknowledged; a voice note gets a polite request for text (or goes to the open
ticket); WhatsApp delivery reports land on the delivery, a failure reaching staff.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from server.channels.telegram_send import callback_data
from tests.api.conftest import APP_SECRET, TELEGRAM_SECRET, Served, sent_texts
from tests.channels.payloads import (
    IG_ACCOUNT_ID,
    IGSID,
    ig_comment,
    ig_comment_entry,
    messaging,
    messaging_entry,
    meta_webhook,
    tg_callback,
    tg_message,
    wa_contact,
    wa_message,
    wa_value,
    wa_webhook,
)
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders, meta_signature_headers, telegram_secret_headers
from tools.clock import FrozenClock
from tools.crm import IG_COMMENT_SOURCE
from tools.inbox import DeliveryStatus
from tools.notifications import NotificationKind
from tools.tickets import NewTicket

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
POST = "17895695668004550"
"""A post the studio's playbook names («Свадебный макияж»)."""


async def _post_meta(client: httpx.AsyncClient, payload: dict[str, object]) -> httpx.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return await client.post("/webhooks/meta", content=body, headers=meta_signature_headers(body, APP_SECRET))


async def _post_telegram(client: httpx.AsyncClient, payload: dict[str, object]) -> httpx.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return await client.post(
        "/webhooks/telegram", content=body, headers=telegram_secret_headers(TELEGRAM_SECRET)
    )


async def test_an_instagram_comment_gets_one_private_reply_naming_the_post_and_opens_a_lead(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    providers.instagram_users.add(IGSID)
    comment = ig_comment(text="Сколько стоит? Хочу так же на свадьбу")
    comment["media"] = {"id": POST, "media_product_type": "FEED"}
    payload = meta_webhook("instagram", ig_comment_entry(comment))
    async with httpx.AsyncClient(base_url=served.url) as client:
        acks = [await _post_meta(client, payload) for _ in range(3)]
        [reply] = await sent_texts(providers, "instagram")
        await asyncio.sleep(0.5)
        assert [ack.json()["stored"] for ack in acks] == [1, 0, 0]
        [call] = providers.calls_to("instagram", accepted_only=True)
        assert call.body["recipient"] == {"comment_id": comment["id"]}, "a private reply, under the comment"
        assert "посту «Свадебный макияж»" in reply and reply.count("?") == 1, reply
        stores = served.state.stores
        contact = await stores.crm.contact_for_identity("instagram", IGSID, key="lookup")
        [lead] = await stores.crm.list_leads(contact_id=contact.id)
        assert (lead.source.channel, lead.source.detail, lead.source.reference) == (
            "instagram",
            IG_COMMENT_SOURCE,
            POST,
        )
        dm = messaging(sender=IGSID, recipient=IG_ACCOUNT_ID, timestamp=int(clock.now().timestamp() * 1000))
        dm["message"] = {"mid": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAU", "text": "сколько стоит маникюр?"}
        await _post_meta(client, meta_webhook("instagram", messaging_entry(dm, account_id=IG_ACCOUNT_ID)))
        texts = await sent_texts(providers, "instagram", 2)
    assert any("1 800 ₽" in text for text in texts[1:]), texts
    later = providers.calls_to("instagram", accepted_only=True)[1]
    assert later.body["recipient"] == {"id": IGSID}, "the conversation goes on in direct messages"
    assert len(await stores.crm.list_leads(contact_id=contact.id)) == 1


async def test_a_telegram_button_press_is_acknowledged_and_answered(
    served: Served, providers: FakeProviders
) -> None:
    keyboard = [[{"text": "Цены", "callback_data": callback_data("Цены", 1)}]]
    async with httpx.AsyncClient(base_url=served.url) as client:
        ack = await _post_telegram(client, tg_callback(callback_data("Цены", 1), keyboard))
        await sent_texts(providers, "telegram")
    assert ack.status_code == 200 and ack.json()["stored"] == 1
    answered = [
        call
        for call in providers.calls_to("telegram", accepted_only=True)
        if call.method == "answerCallbackQuery"
    ]
    assert [call.body["callback_query_id"] for call in answered] == ["4382bfdwdsb323b2d9"]


async def test_a_voice_note_gets_a_polite_request_for_text_in_the_customers_language(
    served: Served, providers: FakeProviders
) -> None:
    voice = {"duration": 4, "mime_type": "audio/ogg", "file_id": "AwACAgIAAxkBAAIB", "file_unique_id": "AgAD"}
    async with httpx.AsyncClient(base_url=served.url) as client:
        ack = await _post_telegram(client, tg_message(voice=voice))
        [reply] = await sent_texts(providers, "telegram")
    assert ack.json()["stored"] == 1
    assert "голосовые сообщения" in reply and "текстом" in reply, reply


async def test_a_photo_sent_during_a_support_case_is_noted_on_the_ticket(
    served: Served, providers: FakeProviders
) -> None:
    stores = served.state.stores
    contact = await stores.crm.contact_for_identity(
        "telegram", "123456789", key="identity:telegram:123456789"
    )
    conversation = await stores.conversations.open_conversation("telegram", "123456789", contact.id)
    ticket = await stores.tickets.open_ticket(
        NewTicket(contact.id, "warranty", "Сломался фен", "—", conversation_id=conversation.id), key="t1"
    )
    photo = [{"file_id": "AgACAgIAAxkBAAIC", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    async with httpx.AsyncClient(base_url=served.url) as client:
        await _post_telegram(client, tg_message(photo=photo))
        [reply] = await sent_texts(providers, "telegram")
    assert ticket.id in reply, reply
    notes = await stores.crm.notes(contact.id)
    assert any(ticket.id in note.text and "image" in note.text for note in notes)


async def test_whatsapp_delivery_reports_land_on_the_delivery_and_a_failure_reaches_staff(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    now = str(int(clock.now().timestamp()))
    message = wa_message("text", {"body": "здравствуйте"}, timestamp=now)
    async with httpx.AsyncClient(base_url=served.url) as client:
        body = json.dumps(wa_webhook(wa_value(message, contacts=[wa_contact()]))).encode()
        await client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
        )
        await sent_texts(providers, "whatsapp")
        [receipt] = [
            c for c in providers.calls_to("whatsapp", accepted_only=True) if c.body.get("status") == "read"
        ]
        assert receipt.body["message_id"] == message["id"], "the customer's message is marked read"
        stores = served.state.stores
        for _ in range(100):
            sent = await stores.inbox.deliveries(status=DeliveryStatus.SENT)
            if sent:
                break
            await asyncio.sleep(0.05)
        wamid = sent[0].provider_message_id
        assert wamid is not None
        reports = [
            {"id": wamid, "status": "read", "timestamp": now, "recipient_id": "16505551234"},
            {"id": wamid, "status": "delivered", "timestamp": now, "recipient_id": "16505551234"},
        ]
        for report in reports:
            body = json.dumps(wa_webhook(wa_value(contacts=[], statuses=[report]))).encode()
            ack = await client.post(
                "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
            )
            assert ack.status_code == 200
        [delivery] = [d for d in await stores.inbox.deliveries() if d.provider_message_id == wamid]
        assert delivery.provider_status == "read", "a late 'delivered' does not undo 'read'"
        failed = {
            "id": wamid,
            "status": "failed",
            "timestamp": now,
            "recipient_id": "16505551234",
            "errors": [{"code": 131026, "title": "Message undeliverable"}],
        }
        body = json.dumps(wa_webhook(wa_value(contacts=[], statuses=[failed]))).encode()
        await client.post(
            "/webhooks/whatsapp", content=body, headers=meta_signature_headers(body, APP_SECRET)
        )
    [delivery] = [d for d in await stores.inbox.deliveries() if d.provider_message_id == wamid]
    assert delivery.status is DeliveryStatus.DEAD and "131026" in (delivery.last_error or "")
    alerts = await stores.notifications.list_notifications()
    assert [n.kind for n in alerts if "did not reach" in n.title] == [NotificationKind.FAILED_SEND]
