"""HTTP channel senders against the fake providers, on SQLite and PostgreSQL.

A split reply whose second part fails is resumed, never resent from the start; WhatsApp and
Messenger honour the 24-hour window (a template outside it, or a clear failure); Instagram
comments get a private reply; the per-recipient send limit spaces a recipient's messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from server.delivery import DeliveryWorker
from server.rate_limits import MemoryLimiter
from server.send_plans import TEMPLATE_VALUE_PREFIX, ChannelAccount, SendPlanner
from server.senders import HttpChannelSender
from tests.conftest import ROOT, on_every_database
from tests.fakes.providers import FakeProviders
from tools.clock import FrozenClock
from tools.conversations import NewReply, Owner
from tools.inbox import Delivery, DeliveryStatus
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores

WA_ID = "79161234567"


@pytest.fixture(scope="module")
def studio() -> Playbook:
    return load_playbook(ROOT / "examples/studio/playbook.yaml")


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


@dataclass
class Outbox:
    """A sender per channel and the worker that uses them."""

    stores: BusinessStores
    providers: FakeProviders
    worker: DeliveryWorker

    async def reply(
        self,
        channel: str,
        chat: str,
        text: str,
        *,
        customer_wrote: timedelta | None = timedelta(0),
        author: str = "bot",
        details: dict[str, str] | None = None,
        clock: FrozenClock,
    ) -> Delivery:
        """Record a reply in `chat` (the customer last wrote `customer_wrote` ago) and queue it."""
        crm, conversations = self.stores.crm, self.stores.conversations
        contact = await crm.contact_for_identity(channel, chat, key=f"identity:{channel}:{chat}")
        conversation = await conversations.open_conversation(channel, chat, contact.id)
        if author.startswith("staff:"):  # staff write only in a conversation they took over
            await conversations.set_owner(
                conversation.id, Owner.STAFF, staff_id=author.removeprefix("staff:"), actor=author
            )
        at = clock.now() - (customer_wrote or timedelta(0))
        inbound, _ = await conversations.record_inbound(
            conversation.id, "привет", provider_id=f"in-{chat}", at=at
        )
        if customer_wrote is None:
            reply = await conversations.record_proactive(
                conversation.id, NewReply(text, author=author), key=f"proactive-{chat}"
            )
        else:
            reply = await conversations.record_reply(
                conversation.id, NewReply(text, author=author), reply_to=inbound.id, seq=0
            )
        return await self.stores.inbox.enqueue_delivery(
            message_id=reply.id,
            conversation_id=conversation.id,
            channel=channel,
            chat_id=chat,
            details=details,
        )


@pytest.fixture
def outbox(
    stores: BusinessStores,
    studio: Playbook,
    clock: FrozenClock,
    providers: FakeProviders,
    client: httpx.AsyncClient,
) -> Outbox:
    account = ChannelAccount(providers.phone_number_id, providers.instagram_account_id, providers.page_id)
    planner = SendPlanner(stores.conversations, studio, clock, account)
    limiter = MemoryLimiter()

    def sender(channel: str, base: str, token: str) -> HttpChannelSender:
        return HttpChannelSender(channel, base, token, planner, stores.inbox, limiter, client)

    senders = {
        "telegram": sender("telegram", providers.telegram_url, providers.telegram_token),
        "whatsapp": sender("whatsapp", providers.graph_url, providers.whatsapp_token),
        "messenger": sender("messenger", providers.graph_url, providers.page_token),
        "instagram": sender("instagram", providers.graph_url, providers.page_token),
    }
    worker = DeliveryWorker(stores.inbox, stores.conversations, stores.notifications, senders)  # type: ignore[arg-type]
    return Outbox(stores, providers, worker)


@on_every_database
async def test_a_split_reply_resumes_after_the_parts_already_accepted(
    outbox: Outbox, clock: FrozenClock
) -> None:
    paragraphs = [f"Часть {n}: " + "подробности " * 300 for n in range(1, 4)]
    delivery = await outbox.reply("telegram", "555", "\n\n".join(paragraphs), clock=clock)
    outbox.providers.fail_next("telegram", 1, status=502, after=1)
    await outbox.worker.run_once()
    [waiting] = await outbox.stores.inbox.deliveries()
    texts = outbox.providers.texts("telegram")
    assert waiting.status is DeliveryStatus.PENDING and waiting.parts_sent == len(texts) == 1
    clock.advance(timedelta(minutes=1))
    await outbox.worker.run_once()
    [done] = await outbox.stores.inbox.deliveries()
    texts = outbox.providers.texts("telegram")
    assert done.status is DeliveryStatus.SENT and done.id == delivery.id
    assert len(texts) == len(set(texts)), "no part was sent twice"
    assert "".join(texts).count("Часть") == 3


@on_every_database
async def test_whatsapp_outside_the_24_hour_window_sends_the_playbook_template(
    outbox: Outbox, clock: FrozenClock
) -> None:
    values = {"name": "Анна", "service": "маникюр", "time": "завтра в 12:00", "address": "Тверская, 7"}
    details = {"whatsapp_template": "reminder"} | {TEMPLATE_VALUE_PREFIX + k: v for k, v in values.items()}
    await outbox.reply(
        "whatsapp",
        WA_ID,
        "Напоминаем о визите",
        customer_wrote=timedelta(hours=30),
        details=details,
        clock=clock,
    )
    await outbox.worker.run_once()
    [call] = outbox.providers.calls_to("whatsapp", accepted_only=True)
    template = call.body["template"]
    assert template["name"] == "lumiere_visit_reminder_ru" and template["language"] == {"code": "ru"}
    assert [p["text"] for p in template["components"][0]["parameters"]] == list(values.values())
    [delivery] = await outbox.stores.inbox.deliveries()
    assert delivery.status is DeliveryStatus.SENT


@on_every_database
async def test_free_text_outside_the_window_fails_with_the_reason_and_staff_see_it(
    outbox: Outbox, clock: FrozenClock
) -> None:
    await outbox.reply("whatsapp", WA_ID, "Как дела?", customer_wrote=timedelta(hours=25), clock=clock)
    await outbox.reply(
        "messenger", "6543210987654321", "Как дела?", customer_wrote=timedelta(hours=25), clock=clock
    )
    await outbox.worker.run_once()
    assert outbox.providers.calls_to("whatsapp") == [] and outbox.providers.calls_to("messenger") == []
    dead = await outbox.stores.inbox.deliveries(status=DeliveryStatus.DEAD)
    assert len(dead) == 2 and all("24 hours" in (d.last_error or "") for d in dead)
    assert len(await outbox.stores.notifications.list_notifications()) == 2


@on_every_database
async def test_staff_may_answer_on_messenger_for_seven_days_with_the_human_agent_tag(
    outbox: Outbox, clock: FrozenClock
) -> None:
    await outbox.reply(
        "messenger",
        "6543210987654321",
        "Это Мария из студии",
        customer_wrote=timedelta(days=3),
        author="staff:maria",
        clock=clock,
    )
    await outbox.worker.run_once()
    [call] = outbox.providers.calls_to("messenger", accepted_only=True)
    assert call.body["messaging_type"] == "MESSAGE_TAG" and call.body["tag"] == "HUMAN_AGENT"


@on_every_database
async def test_an_instagram_comment_is_answered_privately_once(outbox: Outbox, clock: FrozenClock) -> None:
    await outbox.reply(
        "instagram",
        "987654321012345",
        "Спасибо! Подсказать цену?",
        details={"comment_id": "17865799348089039"},
        clock=clock,
    )
    await outbox.worker.run_once()
    [call] = outbox.providers.calls_to("instagram", accepted_only=True)
    assert call.body["recipient"] == {"comment_id": "17865799348089039"}


@on_every_database
async def test_messages_to_one_telegram_chat_are_spaced_by_its_send_limit(
    outbox: Outbox, clock: FrozenClock
) -> None:
    contact = await outbox.stores.crm.contact_for_identity("telegram", "777", key="c777")
    conversation = await outbox.stores.conversations.open_conversation("telegram", "777", contact.id)
    inbound, _ = await outbox.stores.conversations.record_inbound(
        conversation.id, "?", provider_id="q", at=clock.now()
    )
    for seq in range(3):
        reply = await outbox.stores.conversations.record_reply(
            conversation.id, NewReply(f"ответ {seq}"), reply_to=inbound.id, seq=seq
        )
        await outbox.stores.inbox.enqueue_delivery(
            message_id=reply.id, conversation_id=conversation.id, channel="telegram", chat_id="777"
        )
    await outbox.worker.run_once()
    calls = outbox.providers.calls_to("telegram", accepted_only=True)
    assert [c.body["text"] for c in calls] == ["ответ 0", "ответ 1", "ответ 2"]
    gaps = [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]
    assert all(gap >= 0.9 for gap in gaps), gaps
