"""Conversations, transcripts and approvals, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import DATABASES
from tools.clock import FrozenClock
from tools.conversations import ApprovalStatus, DialoguePrompt, Direction, NewReply, Owner
from tools.errors import Conflict
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _conversation(stores: BusinessStores):
    contact = await stores.crm.contact_for_identity("telegram", "77", key="c")
    return await stores.conversations.open_conversation("telegram", "77", contact.id)


async def test_one_conversation_per_chat_even_when_opened_concurrently(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "77", key="c")
    opened = await asyncio.gather(
        *(stores.conversations.open_conversation("telegram", "77", contact.id) for _ in range(8))
    )
    assert {c.id for c in opened} == {"telegram:77"}
    assert opened[0].owner is Owner.BOT


async def test_a_redelivered_message_is_recognised(stores: BusinessStores, clock: FrozenClock) -> None:
    conversation = await _conversation(stores)
    first, new = await stores.conversations.record_inbound(
        conversation.id, "Привет", provider_id="u1", at=clock.now()
    )
    again, new_again = await stores.conversations.record_inbound(
        conversation.id, "Привет", provider_id="u1", at=clock.now()
    )
    assert new and not new_again and again.id == first.id
    assert [m.text for m in await stores.conversations.transcript(conversation.id)] == ["Привет"]


async def test_one_reply_per_inbound_position_however_often_retried(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    conversation = await _conversation(stores)
    inbound, _ = await stores.conversations.record_inbound(
        conversation.id, "hi", provider_id="u1", at=clock.now()
    )
    replies = await asyncio.gather(
        *(
            stores.conversations.record_reply(
                conversation.id, NewReply("Hello!", agent="smalltalk"), reply_to=inbound.id, seq=0
            )
            for _ in range(5)
        )
    )
    assert len({r.id for r in replies}) == 1
    await stores.conversations.record_reply(
        conversation.id, NewReply("How can I help?", buttons=("Prices",)), reply_to=inbound.id, seq=1
    )
    transcript = await stores.conversations.transcript(conversation.id)
    assert [(m.direction, m.text) for m in transcript] == [
        (Direction.IN, "hi"),
        (Direction.OUT, "Hello!"),
        (Direction.OUT, "How can I help?"),
    ]
    assert [m.buttons for m in await stores.conversations.replies_to(inbound.id)] == [(), ("Prices",)]


async def test_takeover_and_handback_are_recorded(stores: BusinessStores) -> None:
    conversation = await _conversation(stores)
    taken = await stores.conversations.set_owner(
        conversation.id, Owner.STAFF, staff_id="anna", actor="staff:anna"
    )
    assert taken.owner is Owner.STAFF and taken.owner_staff == "anna"
    back = await stores.conversations.set_owner(conversation.id, Owner.BOT, staff_id=None, actor="staff:anna")
    assert back.owner is Owner.BOT and back.owner_staff is None
    kinds = [a.kind for a in await stores.crm.timeline(conversation.contact_id)]
    assert kinds[-2:] == ["conversation.taken_over", "conversation.handed_back"]


async def test_an_approval_is_decided_once(stores: BusinessStores) -> None:
    conversation = await _conversation(stores)
    approval = await stores.conversations.create_approval(
        conversation.id, kind="quote", summary="Quote 2.1M", proposal={"amount": "2100000"}, key="ap-1"
    )
    same = await stores.conversations.create_approval(
        conversation.id, kind="quote", summary="Quote 2.1M", proposal={"amount": "2100000"}, key="ap-1"
    )
    assert same.id == approval.id
    decided = await stores.conversations.decide_approval(
        approval.id, ApprovalStatus.EDITED, decided_by="staff:pavel", changes={"amount": "1900000"}
    )
    assert decided.changes == {"amount": "1900000"} and decided.decided_by == "staff:pavel"
    with pytest.raises(Conflict, match="already edited by staff:pavel"):
        await stores.conversations.decide_approval(approval.id, ApprovalStatus.REJECTED, decided_by="staff:x")
    assert await stores.conversations.list_approvals(status=ApprovalStatus.PENDING) == []


async def test_approvals_are_listed_per_conversation(stores: BusinessStores) -> None:
    mine = await _conversation(stores)
    contact = await stores.crm.contact_for_identity("telegram", "88", key="c88")
    other = await stores.conversations.open_conversation("telegram", "88", contact.id)
    for conversation, key in ((mine, "a1"), (other, "a2"), (mine, "a3")):
        await stores.conversations.create_approval(
            conversation.id, kind="quote", summary="s", proposal={"low": "1"}, key=key
        )
    listed = await stores.conversations.list_approvals(conversation_id=mine.id)
    assert [a.conversation_id for a in listed] == [mine.id, mine.id]
    assert len(await stores.conversations.list_approvals()) == 3


async def test_a_proactive_message_sets_the_prompt_its_answer_goes_to_and_a_later_one_replaces_it(
    stores: BusinessStores,
) -> None:
    conversation = await _conversation(stores)
    prompt = DialoguePrompt(
        agent="booking", expecting="confirm:reminder", slots={"booking": "bk_1"}, offered=("a", "b")
    )
    reminder = await stores.conversations.record_proactive(
        conversation.id,
        NewReply("Reminder", ("Confirm", "Reschedule"), agent="booking"),
        key="r1",
        prompt=prompt,
    )
    stored = (await stores.conversations.get_conversation(conversation.id)).prompt
    assert stored == DialoguePrompt(
        agent="booking",
        expecting="confirm:reminder",
        slots={"booking": "bk_1"},
        offered=("a", "b"),
        message_id=reminder.id,
        question="Reminder",
        buttons=("Confirm", "Reschedule"),
    )
    await stores.conversations.record_proactive(conversation.id, NewReply("Paid, thanks"), key="p1")
    assert (await stores.conversations.get_conversation(conversation.id)).prompt is None
