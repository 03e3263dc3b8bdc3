"""More flows: English reschedule and cancel, the studio's bridal quote, discounts and non-standard requests."""

from __future__ import annotations

from server.assembly import Frontdesk
from tests.dialogues.conftest import Chat
from tools.calendar import BookingStatus
from tools.conversations import ApprovalStatus


async def test_reschedule_and_cancel_in_english(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="en-r")
    await chat.say("Can I book a men's haircut tomorrow?")
    await chat.say("1")
    await chat.say("Tom")
    await chat.say("+44 20 7946 0958")
    assert chat.buttons == ["Yes", "No"], chat.log
    await chat.say("yes")
    [booking] = await studio.stores.calendar.list_bookings()
    await chat.say("I need to reschedule my appointment to Friday")
    assert chat.buttons and all(b.startswith("Fri") for b in chat.buttons), chat.log
    await chat.say("the last one")
    [moved] = await studio.stores.calendar.list_bookings(statuses=frozenset({BookingStatus.CONFIRMED}))
    assert moved.rescheduled_from == booking.id
    await chat.say("Please cancel my booking")
    await chat.say("yes")
    assert (await studio.stores.calendar.get_booking(moved.id)).status is BookingStatus.CANCELLED


async def test_a_progress_marker_acknowledges_each_detail(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="pm")
    await chat.say("запишите на маникюр завтра")
    await chat.say("1")
    asked_phone = await chat.say("Вера")
    assert asked_phone.startswith(studio.deps.replies.text("accepted", "ru")), asked_phone


async def test_the_studio_bridal_quote_in_russian(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="bride")
    await chat.say("Рассчитайте, пожалуйста, стоимость свадебной причёски")
    assert chat.agent == "quoting", chat.log
    for answer in ["12 июня", "4", "1", "1", "1"]:
        await chat.say(answer)
    assert chat.last is not None and chat.last.approval_id, (
        "a quote above the studio's threshold waits for staff"
    )
    result = await studio.runner.decide(chat.last.approval_id, action="approve", by="staff:olga")
    assert "₽" in result.replies[-1].text and list(result.replies[-1].buttons) == ["Да", "Нет"]


async def test_a_correction_of_an_answer_changes_the_estimate(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="fix")
    await chat.say("Посчитайте смету на покраску стен")
    for answer in ["40 м2", "2", "1", "1", "1", "в апреле"]:
        await chat.say(answer)
    before = chat.log[-1]
    after = await chat.say("ой, не 40, а 80 м2")
    assert "₽" in after and after != before, chat.log


async def test_a_discount_above_the_allowed_percent_waits_for_staff(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="disc")
    await chat.say("Сколько стоит ремонт ванной? А скидки у вас есть?")
    assert chat.buttons, chat.log
    winter = next(i for i, d in enumerate(renovation.playbook.discounts) if d.id == "winter-start")
    await chat.say(str(winter + 1))
    assert chat.last is not None and chat.last.approval_id, chat.log
    result = await renovation.runner.decide(
        chat.last.approval_id, action="approve", by="staff:olga-kuznetsova"
    )
    assert "7" in result.replies[-1].text
    [approval] = await renovation.stores.conversations.list_approvals()
    assert approval.kind == "discount" and approval.status is ApprovalStatus.APPROVED


async def test_a_request_outside_the_catalogue_goes_to_staff(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="odd")
    await chat.say("Посчитайте, пожалуйста, смету: хочу сложить камин из кирпича на даче")
    assert chat.last is not None and chat.last.approval_id, chat.log
    result = await renovation.runner.decide(
        chat.last.approval_id,
        action="edit",
        by="staff:igor-belov",
        changes={"answer": "камины делаем, выезд инженера 3 000 ₽"},
    )
    assert "выезд инженера" in result.replies[-1].text
