"""The reactivation ladder on SQLite and PostgreSQL with a frozen clock.

After an unpaid estimate (the studio: reminder at 24 h, alternative at 72 h, then the ladder every
48 h) and after a site visit nothing followed (the renovation company: 5 days later), a quiet lead
gets one message per step from a different angle, with two next steps; a refusal or an opt-out
ends the ladder and marks the lead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from agents.proactive.flows import FLOWS
from agents.reactivation import DECLINED_TAG, OPTED_OUT_TAG, REACTIVATED_TAG
from server.assembly import Frontdesk
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tests.dialogues.conftest import Chat
from tests.dialogues.test_proactive_followups import SMALL_BRIDAL_EN
from tools.calendar import BookingStatus
from tools.clock import FrozenClock
from tools.completion_flows import on_service_completed
from tools.conversations import Direction, Message
from tools.crm import Lead, LeadSource, LeadStage, NewLead
from tools.ids import ContactId
from tools.reactivation_timers import REACTIVATION
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _sent(desk: Frontdesk, chat: Chat) -> list[Message]:
    transcript = await desk.stores.conversations.transcript(f"{chat.channel}:{chat.customer}")
    return [m for m in transcript if m.direction is Direction.OUT and m.reply_to is None]


async def _ladder(desk: Frontdesk, chat: Chat) -> list[Message]:
    return [m for m in await _sent(desk, chat) if m.intent == "reactivation"]


async def _until(desk: Frontdesk, clock: FrozenClock, moment: datetime) -> None:
    """Run the timer worker every hour up to `moment`, as a running server would."""
    while clock.now() < moment:
        clock.set(min(moment, clock.now() + timedelta(hours=1)))
        await TimerWorker(desk.deps, FLOWS, owner="w1").run_once()


async def _quoted_bride(studio: Frontdesk) -> tuple[Chat, datetime]:
    chat = Chat(studio, customer="bride")
    for text in SMALL_BRIDAL_EN:
        reply = await chat.say(text)
    assert "/pay/" in reply, chat.log
    return chat, studio.deps.clock.now()


async def _bridal_lead(studio: Frontdesk, chat: Chat) -> tuple[ContactId, Lead]:
    """The bride's contact and an open lead for bridal styling (what the sales qualifier would have opened)."""
    contact = (
        await studio.stores.conversations.get_conversation(f"{chat.channel}:{chat.customer}")
    ).contact_id
    lead = await studio.stores.crm.create_lead(
        NewLead(contact, LeadSource("telegram"), service_id="bridal-package"), key="lead-1"
    )
    return contact, lead


async def test_an_unpaid_estimate_gets_a_ladder_of_different_angles_after_its_own_follow_ups(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat, quoted = await _quoted_bride(studio)
    contact, lead = await _bridal_lead(studio, chat)
    await _until(studio, clock, quoted + timedelta(hours=119))
    assert await _ladder(studio, chat) == [], (
        "not before the estimate's reminder (24 h) and alternative (72 h) + 48 h"
    )
    assert len(await _sent(studio, chat)) == 2
    await _until(studio, clock, quoted + timedelta(hours=130))
    [first] = await _ladder(studio, chat)
    local = first.created_at.astimezone(studio.playbook.business.zone)
    assert local.hour == 9, "due at 23:40, in quiet hours: sent when they end"
    assert "trial" in first.text and first.buttons == ("Call me back", "No longer relevant")
    await _until(studio, clock, quoted + timedelta(days=30))
    texts = [m.text for m in await _ladder(studio, chat)]
    assert len(texts) == 3, "max_steps: 3"
    assert "Maria" in texts[1] and "Basic package" in texts[2], "a different angle each time"
    assert REACTIVATED_TAG in (await studio.stores.crm.get_lead(lead.id)).tags, "staff see it in the pipeline"


async def test_no_longer_relevant_ends_the_ladder_and_marks_the_lead_lost(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat, quoted = await _quoted_bride(studio)
    contact, lead = await _bridal_lead(studio, chat)
    await _until(studio, clock, quoted + timedelta(hours=130))
    assert len(await _ladder(studio, chat)) == 1
    answer = await chat.say("No longer relevant")
    assert "won't write about this again" in answer, chat.log
    marked = await studio.stores.crm.get_lead(lead.id)
    assert marked.stage is LeadStage.LOST and DECLINED_TAG in marked.tags
    assert any("Declined during reactivation" in note.text for note in await studio.stores.crm.notes(contact))
    await _until(studio, clock, quoted + timedelta(days=30))
    assert len(await _ladder(studio, chat)) == 1, "the ladder ended"


async def test_an_opt_out_mid_ladder_stops_it_and_marks_the_lead(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat, quoted = await _quoted_bride(studio)
    contact, lead = await _bridal_lead(studio, chat)
    await _until(studio, clock, quoted + timedelta(hours=130))
    await chat.say("STOP")
    assert (await studio.stores.crm.get_contact(contact)).opted_out
    marked = await studio.stores.crm.get_lead(lead.id)
    assert marked.stage is LeadStage.LOST and OPTED_OUT_TAG in marked.tags
    await _until(studio, clock, quoted + timedelta(days=30))
    assert len(await _ladder(studio, chat)) == 1


async def test_call_me_back_asks_for_the_phone_and_hands_the_sales_team_a_task(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat, quoted = await _quoted_bride(studio)
    await _until(studio, clock, quoted + timedelta(hours=130))
    asked = await chat.say("Call me back")
    assert "What number" in asked, chat.log
    done = await chat.say("+7 916 123-45-67")
    assert "+79161234567" in done or "916" in done, chat.log
    [task] = await studio.stores.tasks.list_tasks()
    assert task.team == "sales" and "Call back" in task.title


async def test_a_message_from_the_customer_cancels_the_pending_step(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat, quoted = await _quoted_bride(studio)
    await _until(studio, clock, quoted + timedelta(hours=100))
    await chat.say("thanks, still deciding")
    [step] = [t for t in await studio.stores.timers.timers() if t.kind == REACTIVATION]
    assert step.status is TimerStatus.CANCELLED
    await _until(studio, clock, quoted + timedelta(days=30))
    assert await _ladder(studio, chat) == []


async def _site_visit(renovation: Frontdesk, chat: Chat) -> datetime:
    """The customer writes, then a free site visit is booked for them on Wednesday at 11:00."""
    await chat.say("здравствуйте")
    conversation = await renovation.stores.conversations.get_conversation(f"{chat.channel}:{chat.customer}")
    start = datetime(2027, 3, 3, 11, 0, tzinfo=renovation.playbook.business.zone)
    [slot, *_] = await renovation.deps.appointments.free_slots(
        "site-visit", start=start, end=start + timedelta(hours=3)
    )
    fields = {"name": "Игорь", "phone": "+79161234567", "address": "Химки, ул. Ленина, 5", "area_m2": "54"}
    booked = await renovation.deps.appointments.book(
        conversation.contact_id, "site-visit", slot, fields=fields, key="visit"
    )
    return booked.booking.end


async def test_five_days_after_a_site_visit_nothing_followed_a_message_offers_to_book_or_call(
    renovation: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(renovation, customer="flat")
    ended = await _site_visit(renovation, chat)
    [visit] = await renovation.stores.calendar.list_bookings()
    clock.set(ended + timedelta(hours=1))
    completed = await renovation.stores.calendar.set_status(visit.id, BookingStatus.COMPLETED, key="done")
    started = await on_service_completed(
        renovation.stores, completed, now=clock.now(), playbook=renovation.playbook
    )
    assert any("reactivation ladder" in line for line in started), "the service_completed event keeps it"
    await _until(renovation, clock, ended + timedelta(days=5) - timedelta(minutes=1))
    assert await _ladder(renovation, chat) == []
    await _until(renovation, clock, ended + timedelta(days=5, hours=1))
    [first] = await _ladder(renovation, chat)
    assert "смета фиксируется в договоре" in first.text and first.text.startswith("Игорь")
    assert first.buttons == ("Записаться", "Перезвоните мне", "Уже неактуально")
    offer = await chat.say("Записаться")
    assert chat.agent == "booking" and len(chat.buttons) >= 2, chat.log
    assert "Бесплатный замер" in offer or "замер" in offer.lower(), chat.log


async def test_no_ladder_after_a_cancelled_visit_or_once_the_customer_booked_again(
    renovation: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(renovation, customer="flat")
    ended = await _site_visit(renovation, chat)
    [visit] = await renovation.stores.calendar.list_bookings()
    await renovation.deps.appointments.cancel(visit.id, key="cancel", reason="the customer cancelled")
    assert (await renovation.stores.calendar.get_booking(visit.id)).status is BookingStatus.CANCELLED
    await _until(renovation, clock, ended + timedelta(days=12))
    assert await _ladder(renovation, chat) == []
