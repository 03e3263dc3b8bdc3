"""Booking, rescheduling and cancelling, end to end, in Russian and English."""

from __future__ import annotations

from datetime import timedelta

from server.assembly import Frontdesk
from tests.dialogues.conftest import Chat
from tools.calendar import BookingStatus
from tools.clock import FrozenClock
from tools.conversations import Direction


async def _bookings(desk: Frontdesk) -> list:  # type: ignore[type-arg]
    return await desk.stores.calendar.list_bookings()


async def test_tomorrow_manicure_in_russian_from_three_slots_to_a_confirmed_booking(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    chat = Chat(studio)
    offer = await chat.say("Можно на завтра на маникюр?")
    assert chat.agent == "booking"
    assert len(chat.buttons) == 3
    assert all("2 марта" in button for button in chat.buttons), chat.buttons
    picked = chat.buttons[1]
    assert "Маникюр" in offer
    await chat.say("2")
    await chat.say("Анна")
    confirm = await chat.say("+7 916 123-45-67")
    assert picked.split(", ")[-1] in confirm and chat.buttons == ["Да", "Нет"]
    done = await chat.say("да")
    [booking] = await _bookings(studio)
    assert booking.status is BookingStatus.CONFIRMED and booking.service_id == "manicure"
    assert booking.fields["name"] == "Анна" and booking.fields["phone"] == "+79161234567"
    assert "24" in done and "15" in done, "the reply states the cancellation and lateness rules"
    contact = await studio.stores.crm.get_contact(booking.contact_id)
    assert contact.name == "Анна"


async def test_a_deposit_service_in_english_sends_a_payment_link_and_paying_confirms(
    studio: Frontdesk,
) -> None:
    chat = Chat(studio, customer="en-1")
    await chat.say("Hi! I'd like to book a 90 minute massage on Friday afternoon")
    assert chat.agent == "booking" and chat.buttons, chat.log
    assert all(button.startswith("Fri") for button in chat.buttons), chat.buttons
    await chat.say("the first one")
    await chat.say("Kate Smith")
    await chat.say("+44 20 7946 0958")
    await chat.say("No allergies, light pressure please")
    reply = await chat.say("yes")
    [booking] = await _bookings(studio)
    assert booking.status is BookingStatus.AWAITING_DEPOSIT
    assert "/pay/" in reply
    [invoice] = await studio.stores.billing.list_invoices()
    assert invoice.booking_id == booking.id and invoice.amount_minor == booking.deposit_minor > 0
    await studio.stores.billing.record_payment(
        invoice.id, amount_minor=invoice.amount_minor, provider="builtin", provider_reference="t", key="t"
    )
    assert (await studio.stores.calendar.get_booking(booking.id)).status is BookingStatus.CONFIRMED


async def test_a_correction_changes_the_day_and_reoffers(studio: Frontdesk) -> None:
    chat = Chat(studio)
    await chat.say("запишите меня на маникюр завтра")
    first = chat.buttons
    await chat.say("нет, лучше в пятницу")
    assert chat.buttons and chat.buttons != first
    assert all(button.startswith("пт") for button in chat.buttons), chat.buttons


async def test_rescheduling_and_cancelling_an_existing_booking(studio: Frontdesk, clock: FrozenClock) -> None:
    chat = Chat(studio, customer="r1")
    await chat.say("Можно на завтра на маникюр?")
    await chat.say("1")
    await chat.say("Ольга")
    await chat.say("89161112233")
    await chat.say("да")
    [booking] = await _bookings(studio)
    await chat.say("Хочу перенести запись на четверг")
    assert chat.agent == "booking" and chat.buttons, chat.log
    await chat.say("2")
    moved = [b for b in await _bookings(studio) if b.status is BookingStatus.CONFIRMED]
    assert len(moved) == 1 and moved[0].rescheduled_from == booking.id
    assert moved[0].start.astimezone(studio.playbook.business.zone).weekday() == 3
    await chat.say("отмените, пожалуйста, мою запись")
    assert chat.buttons == ["Да", "Нет"]
    await chat.say("да")
    assert (await studio.stores.calendar.get_booking(moved[0].id)).status is BookingStatus.CANCELLED


async def test_booking_a_site_visit_for_the_renovation_company(renovation: Frontdesk) -> None:
    chat = Chat(renovation)
    await chat.say("Нужен замер квартиры на следующей неделе")
    assert chat.agent == "booking" and chat.buttons, chat.log
    await chat.say("1")
    await chat.say("Игорь")
    await chat.say("+7 903 555 44 33")
    await chat.say("Химки, ул. Ленина 5, кв 12")
    await chat.say("54 м2")
    await chat.say("да")
    [booking] = await _bookings(renovation)
    assert booking.service_id == "site-visit" and booking.fields["address"].startswith("Химки")


async def test_a_redelivered_message_gets_no_second_reply(studio: Frontdesk) -> None:
    from graph import Inbound

    inbound = Inbound("telegram", "d1", "d1", "Привет!", message_id="upd-1")
    first = await studio.runner.handle(inbound)
    again = await studio.runner.handle(inbound)
    assert again.duplicate and [r.id for r in again.replies] == [r.id for r in first.replies]
    transcript = await studio.stores.conversations.transcript("telegram:d1")
    assert [m.direction for m in transcript] == [Direction.IN, Direction.OUT]


_ = timedelta
