"""A lead that goes quiet after a price answer gets one follow-up; a message from the customer cancels it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.proactive.flows import FLOWS
from server.assembly import Frontdesk
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tests.dialogues.conftest import Chat
from tools.clock import FrozenClock
from tools.conversations import Direction
from tools.followup_timers import STALLED_LEAD
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _proactive(studio: Frontdesk, conversation_id: str) -> list[str]:
    transcript = await studio.stores.conversations.transcript(conversation_id)
    return [m.text for m in transcript if m.direction is Direction.OUT and m.reply_to is None]


async def _later(studio: Frontdesk, clock: FrozenClock, hours: float) -> None:
    clock.advance(timedelta(hours=hours))
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()


async def test_silence_after_a_price_answer_gets_one_useful_follow_up(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    assert "1 800 ₽" in await chat.say("Сколько стоит маникюр?")
    conversation_id = f"{chat.channel}:{chat.customer}"
    hours = studio.playbook.follow_ups.stalled_lead_hours
    await _later(studio, clock, hours - 0.1)
    assert await _proactive(studio, conversation_id) == []
    await _later(studio, clock, 0.2)  # 23:46 in Moscow: quiet hours
    assert await _proactive(studio, conversation_id) == []
    [waiting] = await studio.stores.timers.timers(status=TimerStatus.PENDING)
    assert (
        waiting.outcome == "quiet hours"
        and waiting.due_at.astimezone(studio.playbook.business.zone).hour == 9
    )
    clock.set(waiting.due_at)
    await _later(studio, clock, 0)
    [follow_up] = await _proactive(studio, conversation_id)
    assert "Маникюр" in follow_up and "вопрос" in follow_up
    await _later(studio, clock, 72)
    assert len(await _proactive(studio, conversation_id)) == 1, "one follow-up, not a series"


async def test_a_reply_from_the_customer_cancels_the_pending_follow_up(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("Сколько стоит маникюр?")
    [pending] = await studio.stores.timers.timers(status=TimerStatus.PENDING)
    assert pending.kind == STALLED_LEAD
    clock.advance(timedelta(hours=1))
    await chat.say("спасибо, подумаю")
    [cancelled] = [t for t in await studio.stores.timers.timers() if t.id == pending.id]
    assert cancelled.status is TimerStatus.CANCELLED and cancelled.outcome == "the customer wrote"
    await _later(studio, clock, 100)
    assert await _proactive(studio, f"{chat.channel}:{chat.customer}") == []


SMALL_BRIDAL_EN = [
    "how much for bridal hair in the studio with a trial",
    "June 12",
    "1",
    "Yes, with a trial",
    "In the studio",
    "No, 08:00 or later",
    "yes",
    "anna@example.com",
]
"""An estimate under the approval threshold, accepted: the invoice and its payment link are sent."""


async def test_an_unpaid_quote_gets_a_reminder_then_an_alternative_and_nothing_once_paid(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio, customer="bride")
    for text in SMALL_BRIDAL_EN:
        reply = await chat.say(text)
    assert "/pay/" in reply, chat.log
    conversation_id = f"{chat.channel}:{chat.customer}"
    follow_ups = studio.playbook.follow_ups
    quiet_free = timedelta(hours=10)  # from 23:40 + the pause, stay out of quiet hours
    clock.advance(timedelta(hours=follow_ups.quote_reminder_hours) + quiet_free)
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    [reminder] = await _proactive(studio, conversation_id)
    assert "estimate" in reminder, reminder
    clock.advance(timedelta(hours=follow_ups.quote_alternative_hours - follow_ups.quote_reminder_hours))
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    texts = await _proactive(studio, conversation_id)
    assert len(texts) == 2 and "Basic" in texts[1] and "call" in texts[1], "a lighter package or a call"
    assert texts[0].startswith("Hi! Did you have a chance"), "no gap where the unknown name would be"


async def test_a_paid_quote_is_not_chased(studio: Frontdesk, clock: FrozenClock) -> None:
    chat = Chat(studio, customer="bride")
    for text in SMALL_BRIDAL_EN:
        await chat.say(text)
    [invoice] = await studio.stores.billing.list_invoices()
    await studio.stores.billing.record_payment(
        invoice.id, amount_minor=invoice.amount_minor, provider="builtin", provider_reference="p1", key="p1"
    )
    clock.advance(timedelta(days=5))
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    assert await _proactive(studio, f"{chat.channel}:{chat.customer}") == []
    outcomes = {t.outcome for t in await studio.stores.timers.timers() if t.kind.startswith("quote")}
    assert outcomes <= {"the invoice is paid", "stale: its moment passed while nothing ran (downtime)"}, (
        outcomes
    )
