"""The outbox's web-chat sender: a recorded reply becomes a frame on the session's live connections."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.exceptions import RedisError

from server.channels import OutboundMessage, webchat_frames
from server.delivery import WAIT_IN_LINE_S, RetryLater, SendOutcome, Sent
from server.webchat.hub import WebchatHub
from tools.conversations import Message
from tools.inbox import Delivery

log = logging.getLogger("frontdesk.webchat")


@dataclass(frozen=True)
class WebchatSender:
    """Publishes replies to the hub.

    A browser that is offline is not a failure: the reply is in the transcript, and the widget
    reads the history when it reconnects, so the delivery is `Sent`. Only a hub that cannot
    publish (Redis down) is retried; a reply published twice is shown once, the widget
    keeping one bubble per message id.
    """

    hub: WebchatHub

    async def send(
        self, delivery: Delivery, message: Message, *, wait_s: float = WAIT_IN_LINE_S
    ) -> SendOutcome:
        """Publish `message` to session `delivery.chat_id` (no send limits: `wait_s` does not apply)."""
        frames = webchat_frames(
            OutboundMessage(message.text, tuple(message.buttons)),
            message_id=message.id,
            at=message.created_at,
        )
        try:
            for frame in frames:
                await self.hub.publish(delivery.chat_id, frame)
        except (RedisError, OSError) as error:
            return RetryLater(f"the web chat hub is unreachable: {type(error).__name__}: {error}")
        return Sent(message.id)
