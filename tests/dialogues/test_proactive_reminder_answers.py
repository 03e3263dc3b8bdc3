"""Answering a booking reminder: confirm, reschedule or cancel in one tap; silence gets one follow-up with two other times.

The studio (Moscow, quiet hours 21:00–09:00, a follow-up 3 h after an unanswered reminder) on SQLite and PostgreSQL with a frozen clock: the
customer is booked for Wednesday 3 March at 15:00, the day-before reminder goes on Tuesday at
15:00, and what the customer answers goes through the real runner and graph.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from agents.proactive.flows import FLOWS
from graph import Inbound, TurnResult
from server.assembly import Frontdesk
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tools.booking_timers import UNCONFIRMED
from tools.calendar import Booking, BookingStatus
from tools.clock import FrozenClock
from tools.conversations import Direction, Message
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
CHAT = "telegram:100"
_ids = itertools.count()


def _msk(studio: Frontdesk, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=studio.playbook.business.zone)


async def _book(studio: Frontdesk, *, language: str = "ru", day: int = 3, hour: int = 15) -> Booking:
    """The customer writes once, then is booked for a manicure on March `day` at `hour` (Moscow)."""
    hello = "здравствуйте" if language == "ru" else "hello there, good afternoon"
    await studio.runner.handle(
        Inbound("telegram", "100", "100", hello, message_id="hello", language=language)
    )
    contact = (await studio.stores.conversations.get_conversation(CHAT)).contact_id
    start = _msk(studio, day, hour)
    [slot, *_] = await studio.deps.appointments.free_slots(
        "manicure", start=start, end=start + timedelta(hours=1)
    )
    fields = {"name": "Анна" if language == "ru" else "Anna", "phone": "+79161234567", "comment": "—"}
    booked = await studio.deps.appointments.book(contact, "manicure", slot, fields=fields, key="book")
    return booked.booking


async def _at(studio: Frontdesk, clock: FrozenClock, moment: datetime) -> list[Message]:
    """Move the clock to `moment`, run the timers; the messages the business started at that moment."""
    before = {m.id for m in await studio.stores.conversations.transcript(CHAT)}
    clock.set(moment)
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    return [
        m
        for m in await studio.stores.conversations.transcript(CHAT)
        if m.id not in before and m.direction is Direction.OUT and m.reply_to is None
    ]


async def _say(studio: Frontdesk, text: str) -> TurnResult:
    return await studio.runner.handle(Inbound("telegram", "100", "100", text, message_id=f"a{next(_ids)}"))


def _texts(result: TurnResult) -> str:
    return "\n".join(reply.text for reply in result.replies)


async def _live(studio: Frontdesk, contact_id: str) -> list[Booking]:
    bookings = await studio.stores.calendar.list_bookings(contact_id=contact_id)  # type: ignore[arg-type]
    return [b for b in bookings if b.status in (BookingStatus.CONFIRMED, BookingStatus.AWAITING_DEPOSIT)]


async def test_the_reminder_has_confirm_and_reschedule_and_confirming_stops_the_follow_up(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio)
    [reminder] = await _at(studio, clock, _msk(studio, 2, 15))
    assert reminder.buttons == ("Подтверждаю", "Перенести")
    [follow_up] = [t for t in await studio.stores.timers.timers() if t.kind == UNCONFIRMED]
    assert follow_up.due_at == _msk(studio, 2, 18)

    clock.set(_msk(studio, 2, 16))
    answer = await _say(studio, "Подтверждаю")
    assert "Спасибо, Анна" in _texts(answer) and "15:00" in _texts(answer)
    assert any(f"booking {booking.id} confirmed by the customer" in r.actions for r in answer.replies)
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CONFIRMED
    assert await _at(studio, clock, _msk(studio, 2, 18)) == [], "a confirmed booking is not followed up"
    [cancelled] = [t for t in await studio.stores.timers.timers() if t.kind == UNCONFIRMED]
    assert cancelled.status is TimerStatus.CANCELLED

    later = await _say(studio, "а где вы находитесь?")
    assert "Спасибо" not in _texts(later), "the reminder's prompt is answered once"


async def test_yes_in_english_confirms(studio: Frontdesk, clock: FrozenClock) -> None:
    await _book(studio, language="en")
    [reminder] = await _at(studio, clock, _msk(studio, 2, 15))
    assert reminder.buttons == ("Confirm", "Reschedule")
    answer = await _say(studio, "yes, I'll be there")
    assert "Thank you, Anna" in _texts(answer)


async def test_reschedule_from_the_reminder_offers_times_and_moves_the_booking(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio)
    await _at(studio, clock, _msk(studio, 2, 15))
    offer = await _say(studio, "Перенести")
    times = [b for r in offer.replies for b in r.buttons]
    assert len(times) >= 2 and offer.replies[-1].agent == "booking", _texts(offer)
    moved = await _say(studio, "2")
    assert "перенес" in _texts(moved).lower() or "перенёс" in _texts(moved).lower(), _texts(moved)
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.RESCHEDULED
    [now_booked] = await _live(studio, booking.contact_id)
    assert studio.deps.replies.when(now_booked.start, "ru") == times[1]


async def test_cannot_make_it_offers_other_times(studio: Frontdesk, clock: FrozenClock) -> None:
    await _book(studio)
    await _at(studio, clock, _msk(studio, 2, 15))
    offer = await _say(studio, "к сожалению не смогу прийти")
    assert len([b for r in offer.replies for b in r.buttons]) >= 2, _texts(offer)


async def test_cancel_from_the_reminder_asks_once_and_cancels_with_its_reminders(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio)
    await _at(studio, clock, _msk(studio, 2, 15))
    question = await _say(studio, "отмените, пожалуйста")
    assert "Отменить эту запись?" in _texts(question)
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CONFIRMED
    done = await _say(studio, "да")
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CANCELLED, _texts(
        done
    )
    assert await _at(studio, clock, _msk(studio, 3, 13)) == [], "no 2-hour reminder for a cancelled booking"


async def test_silence_gets_one_follow_up_with_two_other_times_and_a_tap_moves_the_booking(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    booking = await _book(studio)
    await _at(studio, clock, _msk(studio, 2, 15))
    assert await _at(studio, clock, _msk(studio, 2, 17, 59)) == []
    [follow_up] = await _at(studio, clock, _msk(studio, 2, 18))
    first, second, keep = follow_up.buttons
    assert keep == "Оставить как есть"
    assert first in follow_up.text and second in follow_up.text and "15:00" in follow_up.text
    assert first != second and "15:00" not in f"{first}{second}" or "3 марта" not in f"{first}{second}"
    assert await _at(studio, clock, _msk(studio, 2, 20)) == [], "one follow-up"

    moved = await _say(studio, second)
    assert second.split(", ")[-1] in _texts(moved), _texts(moved)
    [now_booked] = await _live(studio, booking.contact_id)
    assert studio.deps.replies.when(now_booked.start, "ru") == second
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.RESCHEDULED


async def test_keeping_the_time_from_the_follow_up_confirms_it(studio: Frontdesk, clock: FrozenClock) -> None:
    booking = await _book(studio)
    await _at(studio, clock, _msk(studio, 2, 15))
    [follow_up] = await _at(studio, clock, _msk(studio, 2, 18))
    kept = await _say(studio, "3")
    assert "Спасибо" in _texts(kept), _texts(kept)
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CONFIRMED
    assert [b.id for b in await _live(studio, booking.contact_id)] == [booking.id]


async def test_no_follow_up_when_the_reminder_comes_too_close_to_the_visit(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    await _book(studio, day=2, hour=12)  # booked on Monday night for Tuesday noon: only the 2-hour reminder
    [reminder] = await _at(studio, clock, _msk(studio, 2, 10))
    assert reminder.buttons == ("Подтверждаю", "Перенести")
    assert [t for t in await studio.stores.timers.timers() if t.kind == UNCONFIRMED] == []


async def test_a_web_chat_customer_in_another_time_zone_gets_reminders_by_their_own_quiet_hours(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    hello = Inbound("webchat", "s_nsk", "s_nsk", "здравствуйте", message_id="w1", timezone="Asia/Novosibirsk")
    await studio.runner.handle(hello)
    conversation = await studio.stores.conversations.get_conversation("webchat:s_nsk")
    assert (await studio.stores.crm.get_contact(conversation.contact_id)).timezone == "Asia/Novosibirsk"
    start = _msk(studio, 3, 10)
    [slot, *_] = await studio.deps.appointments.free_slots(
        "manicure", start=start, end=start + timedelta(hours=1)
    )
    fields = {"name": "Анна", "phone": "+79161234567", "comment": "—"}
    await studio.deps.appointments.book(conversation.contact_id, "manicure", slot, fields=fields, key="nsk")
    clock.set(_msk(studio, 3, 8))  # 08:00 in Moscow (quiet there) is 12:00 in Novosibirsk
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    transcript = await studio.stores.conversations.transcript("webchat:s_nsk")
    sent = [m.text for m in transcript if m.direction is Direction.OUT and m.reply_to is None]
    assert any("через 2 часа" in text for text in sent), sent

    bad = Inbound("webchat", "s_nsk", "s_nsk", "ок", message_id="w2", timezone="Mars/Olympus")
    await studio.runner.handle(bad)
    assert (await studio.stores.crm.get_contact(conversation.contact_id)).timezone == "Asia/Novosibirsk"
