"""Internal requests, and the repair patterns every flow supports, in both languages."""

from __future__ import annotations

from server.assembly import Frontdesk
from tests.dialogues.conftest import Chat
from tools.conversations import Owner
from tools.notifications import NotificationKind


async def test_a_partnership_request_in_russian_reaches_the_team_with_its_details(studio: Frontdesk) -> None:
    chat = Chat(studio)
    await chat.say("Здравствуйте! Хотим предложить сотрудничество, мы производим косметику")
    assert chat.agent == "internal", chat.log
    for answer in [
        "ООО Ромашка",
        "Мария Петрова",
        "maria@romashka.ru",
        "Поставки уходовой косметики для салона",
    ]:
        reply = await chat.say(answer)
    team = studio.playbook.internal_routing.requests["partnership"].team
    hours = studio.playbook.internal_routing.teams[team].response_hours
    assert str(hours) in reply, chat.log
    [task] = await studio.stores.tasks.list_tasks(team=team)
    assert "ООО Ромашка" in task.details and "maria@romashka.ru" in task.details
    [note] = await studio.stores.notifications.list_notifications(recipient=f"team:{team}")
    assert note.kind is NotificationKind.INTERNAL_REQUEST


async def test_a_vendor_invoice_in_english_goes_to_finance(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="vendor")
    await chat.say("Hello, we are your tile supplier and need to send an invoice for payment")
    assert chat.agent == "internal", chat.log
    await chat.say("Keramika LLC, invoice 2027-118, 84500 RUB, due 15 March, INN 7701234567")
    assert "order" in chat.log[-1].lower(), "only the missing detail is asked for"
    await chat.say("RM-0412")
    [task] = await renovation.stores.tasks.list_tasks(team="finance")
    assert "Keramika LLC" in task.details and "7701234567" in task.details and "RM-0412" in task.details


async def test_cancel_mid_flow_stops_it(studio: Frontdesk) -> None:
    chat = Chat(studio)
    await chat.say("хочу записаться на маникюр в пятницу")
    assert chat.buttons
    await chat.say("передумал, не надо")
    conversation = await studio.stores.conversations.get_conversation("telegram:c1")
    assert conversation.active_agent is None
    assert not (await studio.stores.crm.get_contact(conversation.contact_id)).opted_out, (
        "a cancel is not an opt-out"
    )
    assert await studio.stores.calendar.list_bookings() == []


async def test_a_question_mid_flow_is_answered_and_the_flow_resumes(studio: Frontdesk) -> None:
    chat = Chat(studio)
    await chat.say("запишите меня на маникюр завтра")
    await chat.say("1")
    asked = chat.log[-1]
    reply = await chat.say("а сколько стоит педикюр?")
    assert "3 200" in reply, chat.log
    assert asked.split(",")[0] in reply or "Вернёмся" in reply or "вернёмся" in reply, chat.log
    await chat.say("Анна")
    assert (await studio.stores.conversations.get_conversation("telegram:c1")).active_agent == "booking"


async def test_skipping_a_qualification_question_moves_on(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="skip")
    await chat.say("сколько стоит ремонт квартиры?")
    first = chat.log[-1]
    await chat.say("не знаю, пропустим")
    assert chat.log[-1] != first and chat.agent == "sales", chat.log


async def test_human_at_any_moment_hands_over_and_the_bot_goes_silent(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="h")
    await chat.say("хочу записаться на стрижку")
    await chat.say("оператор")
    conversation = await studio.stores.conversations.get_conversation("telegram:h")
    assert conversation.owner is Owner.STAFF
    await chat.say("алло?")
    assert chat.last is not None and chat.last.silent and chat.last.replies == []
    [note] = await studio.stores.notifications.list_notifications()
    assert note.kind is NotificationKind.ESCALATION
    await studio.stores.conversations.set_owner("telegram:h", Owner.BOT, staff_id=None, actor="staff:olga")
    reply = await chat.say("Сколько стоит мужская стрижка?")
    assert "2 200" in reply and chat.agent == "sales", "after the hand-back the bot answers again"


async def test_human_in_english_too(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="h-en")
    await chat.say("HUMAN")
    assert (await renovation.stores.conversations.get_conversation("telegram:h-en")).owner is Owner.STAFF


async def test_opt_out_is_confirmed_and_recorded(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="o")
    await chat.say("Здравствуйте")
    await chat.say("отпишите меня от рассылки, пожалуйста")
    assert chat.agent == "optout"
    contact = (await studio.stores.conversations.get_conversation("telegram:o")).contact_id
    assert (await studio.stores.crm.get_contact(contact)).opted_out


async def test_opt_out_in_english(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="o-en")
    await chat.say("stop sending me messages")
    contact = (await renovation.stores.conversations.get_conversation("telegram:o-en")).contact_id
    assert (await renovation.stores.crm.get_contact(contact)).opted_out


async def test_an_angry_customer_is_escalated_to_staff(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="angry")
    await chat.say("Это уже третий раз! Ужасный сервис, верните деньги немедленно!!!")
    assert chat.last is not None and chat.last.approval_id, chat.log
    [approval] = await studio.stores.conversations.list_approvals()
    assert approval.kind == "escalation"
    await studio.runner.decide(approval.id, action="approve", by="staff:olga")
    assert (await studio.stores.conversations.get_conversation("telegram:angry")).owner is Owner.STAFF


async def test_keywords_match_words_not_parts_of_words(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="kw")
    await chat.say("Is there a warranty on the gel polish? I have an issue with it")
    assert chat.last is not None and not chat.last.approval_id, chat.log
    assert chat.agent != "guardrails", chat.log


async def test_a_bare_number_answers_the_budget_question(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="budget")
    await chat.say("Сколько стоит?")
    await chat.say("на свадьбу")
    assert "бюджет" in chat.log[-1].lower(), chat.log
    await chat.say("50000")
    state = await studio.runner.graph.aget_state({"configurable": {"thread_id": "telegram:budget"}})
    assert state.values["slots"]["sales"]["budget"] == "50000"
