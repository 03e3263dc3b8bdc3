"""After a completed service or a delivered order: one satisfaction question, then support or one offer.

The events go through `handle_event`, the function behind ``POST /api/events`` (the HTTP side is
in tests/api/test_business_events_completion.py); the timers fire through the worker as the frozen
clock moves; the answers go through the runner and the graph like any customer message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from agents.proactive.flows import FLOWS
from server.assembly import Frontdesk
from server.business_events import OrderDelivered, ServiceCompleted, handle_event
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tests.dialogues.conftest import Chat
from tools.booking_timers import booking_group
from tools.calendar import Booking
from tools.clock import FrozenClock
from tools.conversations import Direction
from tools.ids import ContactId
from tools.orders import Delivery, NewOrder, OrderItem, OrderStatus
from tools.satisfaction_timers import SATISFACTION
from tools.tickets import TicketPriority, TicketStatus
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def _moscow(studio: Frontdesk, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=studio.playbook.business.zone)


async def _contact(studio: Frontdesk, chat: Chat) -> ContactId:
    conversation = await studio.stores.conversations.get_conversation(f"{chat.channel}:{chat.customer}")
    return conversation.contact_id


async def _booked(studio: Frontdesk, chat: Chat, service: str, start: datetime) -> Booking:
    """The customer (who has written before) booked `service` at `start`."""
    appointments = studio.deps.appointments
    [slot, *_] = await appointments.free_slots(service, start=start, end=start + timedelta(hours=2))
    contact = await _contact(studio, chat)
    booked = await appointments.book(
        contact,
        service,
        slot,
        fields={"name": "Анна", "phone": "+79161234567"},
        key=f"book:{contact}:{service}:{start.isoformat()}",
    )
    return booked.booking


async def _completed(studio: Frontdesk, booking: Booking, event_id: str = "pos-1") -> str:
    event = ServiceCompleted(type="service_completed", id=event_id, booking_id=booking.id)
    done = await handle_event(event, sender="pos", stores=studio.stores, runner=studio.runner)
    return done.outcome


async def _fire(studio: Frontdesk, clock: FrozenClock, at: datetime) -> None:
    clock.set(at)
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()


async def _proactive(studio: Frontdesk, chat: Chat) -> list[str]:
    transcript = await studio.stores.conversations.transcript(f"{chat.channel}:{chat.customer}")
    return [m.text for m in transcript if m.direction is Direction.OUT and m.reply_to is None]


async def _asked(studio: Frontdesk, clock: FrozenClock, chat: Chat, service: str) -> Booking:
    """Booked for Tuesday 12:00, done, reported at 13:10: the question goes out on Wednesday at 13:10."""
    booking = await _booked(studio, chat, service, _moscow(studio, 2, 12))
    clock.set(_moscow(studio, 2, 13, 10))
    await _completed(studio, booking)
    await _fire(studio, clock, _moscow(studio, 3, 13, 10))
    assert len(await _proactive(studio, chat)) == 1
    return booking


async def test_a_completed_service_gets_one_question_a_day_later_deferred_out_of_quiet_hours(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    booking = await _booked(studio, chat, "manicure", _moscow(studio, 2, 12))
    clock.set(_moscow(studio, 2, 22, 0))  # reported late in the evening
    outcome = await _completed(studio, booking)
    assert outcome.startswith(
        f"booking {booking.id} is completed; satisfaction question due 2027-03-03T19:00"
    )
    assert await _completed(studio, booking) == outcome, "a redelivery: the same answer, nothing more"
    await _completed(studio, booking, event_id="pos-1-again")  # the same news under another id
    [timer] = await studio.stores.timers.timers(status=TimerStatus.PENDING)
    assert timer.kind == SATISFACTION and timer.subject == f"booking:{booking.id}"
    reminders = await studio.stores.timers.timers(group=booking_group(booking.id))
    assert {t.status for t in reminders} == {TimerStatus.CANCELLED}, "no reminder after the service"

    await _fire(studio, clock, _moscow(studio, 3, 21, 59))
    assert await _proactive(studio, chat) == [], "not before satisfaction_after_hours"
    await _fire(studio, clock, _moscow(studio, 3, 22, 0))
    assert await _proactive(studio, chat) == [], "22:00 is in the quiet hours"
    [waiting] = await studio.stores.timers.timers(status=TimerStatus.PENDING)
    assert waiting.due_at == _moscow(studio, 4, 9, 0) and waiting.outcome == "quiet hours"
    await _fire(studio, clock, _moscow(studio, 4, 9, 0))
    [question] = await _proactive(studio, chat)
    assert "Маникюр без покрытия" in question and "1 до 5" in question, question
    assert question[0].isupper(), "no gap where an unknown name would be"
    transcript = await studio.stores.conversations.transcript(f"{chat.channel}:{chat.customer}")
    assert transcript[-1].buttons == ("1", "2", "3", "4", "5"), "the playbook's question asks for 1–5"
    await _fire(studio, clock, _moscow(studio, 7, 12, 0))
    assert len(await _proactive(studio, chat)) == 1, "one question, not a series"


async def test_an_unhappy_answer_in_russian_opens_a_complaint_and_asks_what_went_wrong(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    await _asked(studio, clock, chat, "manicure")
    reply = await chat.say("Не понравилось")
    [ticket] = await studio.stores.tickets.list_tickets()
    assert ticket.category == "complaint" and ticket.outcome == "not_satisfied"
    assert ticket.priority is TicketPriority.HIGH and ticket.status is TicketStatus.NEW
    assert "Маникюр без покрытия" in ticket.subject and "Customer: Не понравилось" in ticket.context
    assert ticket.id in reply and "жаль" in reply and "что именно" in reply, reply
    notices = await studio.stores.notifications.list_notifications(recipient="team:support")
    assert any(ticket.id in n.title for n in notices)

    reply = await chat.say("Мастер опоздала на сорок минут, и покрытие сразу скололось")
    assert ticket.id in reply and "добавила" in reply, reply
    notes = await studio.stores.crm.notes(await _contact(studio, chat))
    assert any("опоздала на сорок минут" in n.text and ticket.id in n.text for n in notes)
    assert len(await studio.stores.tickets.list_tickets()) == 1, "one case, not two"


async def test_an_unhappy_answer_in_english_with_the_reason_needs_no_second_question(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio, customer="en1")
    await chat.say("hello")
    await _asked(studio, clock, chat, "brows")
    [question] = await _proactive(studio, chat)
    assert "Brow shaping and tinting" in question, question
    reply = await chat.say("2 - the shape came out uneven and nobody asked me what I wanted")
    [ticket] = await studio.stores.tickets.list_tickets()
    assert ticket.outcome == "not_satisfied" and "shape came out uneven" in ticket.context
    assert ticket.id in reply and "sorry" in reply and "What exactly" not in reply, reply
    assert "Book" not in chat.buttons, "no offer to someone who complained"


async def test_a_happy_answer_gets_one_complementary_service_valid_for_a_week_and_can_book_it(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    await _asked(studio, clock, chat, "brows")  # brows → upsell: lash-lamination
    reply = await chat.say("5, всё отлично!")
    assert "Спасибо" in reply and "Ламинирование ресниц" in reply and "3 200 ₽" in reply, reply
    assert "до ср, 10 марта" in reply, "upsell_valid_days (7) from Wednesday 3 March"
    assert chat.buttons == ["Записаться", "Нет, спасибо"]
    [record] = await studio.stores.tickets.list_tickets()
    assert record.outcome == "satisfied" and record.status is TicketStatus.RESOLVED
    notes = await studio.stores.crm.notes(await _contact(studio, chat))
    assert any("Ламинирование ресниц" in n.text and "2027-03-10" in n.text for n in notes), notes

    reply = await chat.say("Записаться")
    assert chat.agent == "booking" and len(chat.buttons) == 3, chat.log
    assert "Ламинирование ресниц" in reply or "ламинирование" in reply.lower(), reply


async def test_a_happy_customer_accepts_a_complementary_product_and_sales_hear_of_it(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio, customer="en2")
    await chat.say("hello")
    await _asked(studio, clock, chat, "manicure")  # manicure → upsell: cuticle-oil (a product)
    reply = await chat.say("5")
    assert "Cuticle oil pen" in reply and "₽690" in reply and "Wed 10 Mar" in reply, reply
    assert chat.buttons == ["Yes, I'd like it", "No, thanks"]
    reply = await chat.say("Yes, I'd like it")
    assert "Cuticle oil pen" in reply and "team" in reply, reply
    notices = await studio.stores.notifications.list_notifications(recipient="team:sales")
    assert any("Cuticle oil pen" in n.title for n in notices)


async def test_a_question_instead_of_an_answer_is_answered_as_usual(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    await _asked(studio, clock, chat, "manicure")
    await chat.say("А сколько стоит педикюр?")
    assert chat.last is not None
    answer, *back = chat.last.replies
    assert answer.agent == "sales" and "₽" in answer.text, chat.log
    assert await studio.stores.tickets.list_tickets() == [], "not read as an answer"
    assert [r.agent for r in back] == ["support"] and "Маникюр" in back[0].text, "then back to the question"
    reply = await chat.say("Всё отлично")
    assert "Спасибо" in reply and "Масло для кутикулы" in reply, reply


async def test_no_question_after_an_opt_out_or_when_two_services_are_done_together(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    manicure = await _booked(studio, chat, "manicure", _moscow(studio, 2, 12))
    brows = await _booked(studio, chat, "brows", _moscow(studio, 2, 14))
    clock.set(_moscow(studio, 2, 15, 0))
    await _completed(studio, manicure, "pos-m")
    await _completed(studio, brows, "pos-b")
    await _fire(studio, clock, _moscow(studio, 3, 15, 0))
    assert len(await _proactive(studio, chat)) == 1, "one question for the visit, not one per service"
    outcomes = {t.outcome for t in await studio.stores.timers.timers() if t.kind == SATISFACTION}
    assert any(o and o.startswith("already asked about booking:") for o in outcomes), outcomes

    other = Chat(studio, customer="c2")
    await other.say("здравствуйте")
    booking = await _booked(studio, other, "pedicure", _moscow(studio, 4, 12))
    clock.set(_moscow(studio, 4, 14, 0))
    await _completed(studio, booking, "pos-p")
    await other.say("СТОП")
    assert (await studio.stores.crm.get_contact(await _contact(studio, other))).opted_out
    before = await _proactive(studio, other)
    await _fire(studio, clock, _moscow(studio, 5, 14, 0))
    assert await _proactive(studio, other) == before, "nothing to a customer who opted out"
    [dropped] = [
        t
        for t in await studio.stores.timers.timers()
        if t.kind == SATISFACTION and t.subject == f"booking:{booking.id}"
    ]
    assert dropped.status is TimerStatus.DROPPED and dropped.outcome == "the customer opted out"


async def test_a_delivered_order_is_asked_about_and_a_happy_customer_gets_a_complement(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    await chat.say("здравствуйте")
    orders = studio.stores.orders
    order = await orders.create_order(
        NewOrder(
            "LM-04217",
            await _contact(studio, chat),
            [OrderItem("shampoo-repair", "Repair shampoo", 1, 165_000)],
            "RUB",
            Delivery("courier", "Москва, ул. Тверская, 1"),
        ),
        key="o1",
    )
    for status in (OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED):
        await orders.set_order_status(order.id, status, key=f"o1-{status.value}")
    clock.set(_moscow(studio, 2, 12, 0))
    event = OrderDelivered(type="order_delivered", id="shop-1", order_id="LM-04217")
    done = await handle_event(event, sender="shop", stores=studio.stores, runner=studio.runner)
    assert done.outcome.startswith("order LM-04217 is delivered; satisfaction question due")
    assert (await orders.get_order(order.id)).status is OrderStatus.DELIVERED
    await _fire(studio, clock, _moscow(studio, 3, 12, 0))
    [question] = await _proactive(studio, chat)
    assert "LM-04217" in question and chat.buttons == [], question
    transcript = await studio.stores.conversations.transcript(f"{chat.channel}:{chat.customer}")
    assert transcript[-1].buttons == ("👍 Всё отлично", "👎 Не очень")
    reply = await chat.say("👍 Всё отлично")
    assert "Восстанавливающий кондиционер" in reply and "1 750 ₽" in reply, reply
    assert chat.buttons == ["Да, хочу", "Нет, спасибо"]
    reply = await chat.say("Нет, спасибо")
    assert "Спасибо" in reply and chat.buttons == []
