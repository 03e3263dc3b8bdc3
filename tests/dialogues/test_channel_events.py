"""Attachments and public comments through the runner, in English and Russian, on both databases.

Nothing with nothing to read is dropped; a comment opens a lead that the sales agent later
completes rather than duplicates; staff owning a conversation keep the bot silent.
"""

from __future__ import annotations

from graph import Inbound
from graph.channel_events import PublicComment
from server.assembly import Frontdesk
from tools.clock import FrozenClock
from tools.conversations import Owner
from tools.crm import IG_COMMENT_SOURCE, LeadStage

IGSID = "987654321012345"


def _inbound(
    clock: FrozenClock, message_id: str, text: str, *, channel: str = "telegram", language: str | None = None
) -> Inbound:
    chat = IGSID if channel == "instagram" else "555"
    return Inbound(channel, chat, chat, text, message_id=message_id, at=clock.now(), language=language)


async def test_a_sticker_is_answered_in_english_and_redelivery_gets_the_same_answer(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    first = await studio.runner.handle_non_text(
        _inbound(clock, "b1", "[sticker]", language="en"), ["sticker"]
    )
    again = await studio.runner.handle_non_text(
        _inbound(clock, "b1", "[sticker]", language="en"), ["sticker"]
    )
    [reply] = first.replies
    assert "stickers" in reply.text and "text" in reply.text
    assert again.duplicate and [m.id for m in again.replies] == [reply.id]


async def test_a_location_without_a_known_language_uses_the_business_language(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    result = await studio.runner.handle_non_text(_inbound(clock, "b2", "[location]"), ["location"])
    assert "геолокацию" in result.replies[0].text


async def test_a_comment_in_english_names_our_post_and_the_sales_agent_completes_its_lead(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    comment = PublicComment("c-1", "18000000000000001", "REELS", "how much is this?")
    result = await studio.runner.handle_comment(
        _inbound(clock, "comment:c-1", "[comment] how much is this?", channel="instagram"), comment
    )
    [reply] = result.replies
    assert "our reel" in reply.text and reply.text.count("?") == 1, reply.text
    contact = await studio.stores.crm.contact_for_identity("instagram", IGSID, key="lookup")
    [lead] = await studio.stores.crm.list_leads(contact_id=contact.id)
    assert lead.stage is LeadStage.NEW and lead.source.detail == IG_COMMENT_SOURCE
    assert lead.source.reference == "18000000000000001"
    second = PublicComment("c-2", "18000000000000002", "FEED", "and this one?")
    await studio.runner.handle_comment(
        _inbound(clock, "comment:c-2", "and this one?", channel="instagram"), second
    )
    assert len(await studio.stores.crm.list_leads(contact_id=contact.id)) == 1, "one open lead per person"


async def test_staff_owning_the_conversation_keep_the_bot_silent_on_attachments(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    await studio.runner.handle(_inbound(clock, "m1", "здравствуйте"))
    await studio.stores.conversations.set_owner(
        "telegram:555", Owner.STAFF, staff_id="maria", actor="staff:maria"
    )
    result = await studio.runner.handle_non_text(_inbound(clock, "m2", "[voice]"), ["voice"])
    assert result.silent and result.replies == []
    transcript = await studio.stores.conversations.transcript("telegram:555")
    assert transcript[-1].text == "[voice]", "still recorded for staff"
