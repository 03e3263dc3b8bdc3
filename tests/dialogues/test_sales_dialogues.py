"""Price questions → qualification → range or package → contact + consent → lead, in Russian and English."""

from __future__ import annotations

from server.assembly import Frontdesk
from tests.dialogues.conftest import Chat
from tools.crm import LeadStage
from tools.notifications import NotificationKind


async def test_how_much_at_night_in_russian_becomes_a_hot_lead_with_an_owner(studio: Frontdesk) -> None:
    chat = Chat(studio)
    await chat.say("Сколько стоит?")
    assert chat.agent == "sales" and chat.buttons, chat.log
    await chat.say("хочу окрашивание на свадьбу")
    await chat.say("до 15 тысяч")
    await chat.say("на следующей неделе")
    offer = await chat.say("Хамовники")
    assert "₽" in offer, "a range or a package with a price is offered"
    await chat.say("Анна")
    await chat.say("+7 916 123-45-67")
    assert chat.buttons == ["Да", "Нет"], "consent is asked before storing contacts"
    thanks = await chat.say("да")
    [lead] = await studio.stores.crm.list_leads()
    assert lead.tags == ("hot",) and lead.owner_id == "daria" and lead.stage is LeadStage.NEW
    assert lead.answers["location"] == "khamovniki" and lead.answers["budget"] == "15000"
    assert "Анна" in thanks
    [note] = await studio.stores.notifications.list_notifications(recipient="daria")
    assert note.kind is NotificationKind.HOT_LEAD and "Recommended next reply" in note.body
    [consent] = await studio.stores.crm.consents(lead.contact_id)
    assert consent.granted


async def test_a_price_question_in_english_gets_a_range_and_a_nurture_lead(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="en")
    await chat.say("Hi, how much would a bathroom renovation cost?")
    assert chat.agent == "sales", chat.log
    for answer in ["about 6 m2", "Khimki", "maybe in autumn, not sure", "1"]:
        await chat.say(answer)
        if "₽" in chat.log[-1]:
            break
    assert any("₽" in line for line in chat.log), chat.log
    await chat.say("I'm John Smith")
    await chat.say("john@example.com")
    await chat.say("yes")
    [lead] = await renovation.stores.crm.list_leads()
    assert lead.owner_id == "igor-belov", "Khimki leads go to the Moscow Oblast manager"
    assert lead.tags != ("hot",)


async def test_a_simple_price_is_answered_at_once_and_booking_offered(studio: Frontdesk) -> None:
    chat = Chat(studio)
    reply = await chat.say("сколько стоит мужская стрижка?")
    assert "2 200" in reply and chat.buttons == ["Да", "Нет"]
    await chat.say("да")
    assert chat.agent == "booking" and len(chat.buttons) == 3, chat.log
