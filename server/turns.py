"""One turn: a conversation's claimed inbox events → the runner → deliveries in the outbox."""

from __future__ import annotations

from graph import ConversationRunner, Inbound
from tools.inbox import Claim, InboxStore


async def process_turn(claim: Claim, runner: ConversationRunner, inbox: InboxStore) -> None:
    """Answer the claimed events as one turn and queue every reply for sending.

    Idempotent by the claim's batch id: a turn a dead worker started is answered once.
    """
    first = claim.events[0]
    text = "\n".join(event.text for event in claim.events if event.text.strip())
    inbound = Inbound(
        first.channel,
        first.chat_id,
        first.sender_id,
        text,
        message_id=claim.batch,
        sender_name=next((e.sender_name for e in claim.events if e.sender_name), None),
        at=first.received_at,
    )
    result = await runner.handle(inbound)
    for reply in result.replies:
        await inbox.enqueue_delivery(
            message_id=reply.id,
            conversation_id=result.conversation_id,
            channel=first.channel,
            chat_id=first.chat_id,
        )
