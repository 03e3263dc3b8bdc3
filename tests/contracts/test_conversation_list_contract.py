"""The staff inbox's conversation list: filters, search and the change feed, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import DATABASES
from tools.clock import FrozenClock
from tools.conversation_list import ConversationFilter, ConversationState
from tools.conversations import NewReply, Owner
from tools.crm import ContactChanges, LeadSource, NewLead
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _chat(
    stores: BusinessStores, clock: FrozenClock, channel: str, chat: str, text: str, *, name: str | None = None
) -> str:
    contact = await stores.crm.contact_for_identity(
        channel, chat, key=f"c:{channel}:{chat}", display_name=name
    )
    if name:
        await stores.crm.update_contact(contact.id, ContactChanges(name=name), key=f"n:{chat}")
    conversation = await stores.conversations.open_conversation(channel, chat, contact.id)
    clock.advance(timedelta(seconds=1))
    await stores.conversations.record_inbound(conversation.id, text, provider_id=f"{chat}-1", at=clock.now())
    return conversation.id


async def _ids(stores: BusinessStores, **where: object) -> list[str]:
    return [row.conversation.id for row in await stores.conversation_list.rows(ConversationFilter(**where))]  # type: ignore[arg-type]


async def test_filters_by_channel_state_staff_tag_and_search(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    anna = await _chat(stores, clock, "telegram", "1", "Сколько стоит маникюр?", name="Анна Петрова")
    bob = await _chat(stores, clock, "whatsapp", "2", "Do you do bridal hair?", name="Bob Stone")
    vera = await _chat(stores, clock, "webchat", "s_3", "where is my order 1042", name="Vera")
    closed = await _chat(stores, clock, "telegram", "4", "thanks, bye")

    await stores.conversations.set_owner(bob, Owner.STAFF, staff_id="olga", actor="staff:olga")
    await stores.conversations.update_conversation(vera, awaiting_approval=True)
    await stores.conversations.update_conversation(closed, closed=True)
    anna_contact = (await stores.conversations.get_conversation(anna)).contact_id
    await stores.crm.set_tags(anna_contact, ["vip"], key="t1")
    bob_contact = (await stores.conversations.get_conversation(bob)).contact_id
    await stores.crm.create_lead(NewLead(bob_contact, LeadSource("whatsapp"), tags=("hot",)), key="lead-bob")

    assert await _ids(stores) == [closed, vera, bob, anna]  # newest activity first
    assert await _ids(stores, channel="telegram") == [closed, anna]
    assert await _ids(stores, state=ConversationState.BOT) == [anna]
    assert await _ids(stores, state=ConversationState.HUMAN) == [bob]
    assert await _ids(stores, state=ConversationState.APPROVAL) == [vera]
    assert await _ids(stores, state=ConversationState.CLOSED) == [closed]
    assert await _ids(stores, staff="olga") == [bob]
    assert await _ids(stores, tag="vip") == [anna]
    assert await _ids(stores, tag="hot") == [bob]
    assert await _ids(stores, tag="ho") == []  # whole tags only
    assert await _ids(stores, search="Bob") == [bob]
    assert await _ids(stores, search="маникюр") == [anna]  # any message's words
    assert await _ids(stores, search="1042") == [vera]
    assert await _ids(stores, search="100%") == []  # LIKE wildcards are taken literally
    assert await _ids(stores, ids=(anna, vera)) == [vera, anna]

    rows = await stores.conversation_list.rows(ConversationFilter(ids=(bob,)))
    assert rows[0].tags == ("hot",) and rows[0].contact_name == "Bob Stone"
    assert rows[0].last_text == "Do you do bridal hair?" and rows[0].last_author == "customer"
    assert rows[0].state is ConversationState.HUMAN


async def test_the_last_message_is_the_preview(stores: BusinessStores, clock: FrozenClock) -> None:
    anna = await _chat(stores, clock, "telegram", "1", "hi")
    clock.advance(timedelta(seconds=1))
    await stores.conversations.record_proactive(
        anna, NewReply("Hello! How can I help?", agent="smalltalk"), key="p1"
    )
    [row] = await stores.conversation_list.rows(ConversationFilter())
    assert row.last_text == "Hello! How can I help?" and row.last_author == "bot"


async def test_changes_are_reported_from_a_moment_on(stores: BusinessStores, clock: FrozenClock) -> None:
    anna = await _chat(stores, clock, "telegram", "1", "hi")
    clock.advance(timedelta(minutes=5))
    since = clock.now()
    bob = await _chat(stores, clock, "telegram", "2", "hello")
    clock.advance(timedelta(seconds=1))
    await stores.conversations.set_owner(anna, Owner.STAFF, staff_id="olga", actor="staff:olga")
    changes = await stores.conversation_list.changed_since(since)
    assert [c.conversation_id for c in changes] == [bob, anna]
    assert changes[0].at <= changes[1].at
