"""Messages recorded outside a customer's turn (staff replies, payment and ticket notices) into the outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tools.conversations import ConversationStore, Message
from tools.inbox import InboxStore


async def queue_for_sending(
    messages: Sequence[Message],
    *,
    conversations: ConversationStore,
    inbox: InboxStore,
    details: Mapping[str, str] | None = None,
) -> None:
    """Queue each message for its conversation's channel (once per message, however often called).

    `details` go with each delivery: e.g. the WhatsApp template that carries a proactive message
    outside the 24-hour window.
    """
    for message in messages:
        conversation = await conversations.get_conversation(message.conversation_id)
        await inbox.enqueue_delivery(
            message_id=message.id,
            conversation_id=conversation.id,
            channel=conversation.channel,
            chat_id=conversation.external_id,
            details=details,
        )
