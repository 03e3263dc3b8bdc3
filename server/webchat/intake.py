"""A customer's web-chat message into the durable inbox, shared by the WebSocket and ``POST``.

The message is parsed strictly, stored once per (session, browser id) — a resend after a
reconnect is a duplicate, answered once — the workers are told (as for webhooks), and the session's
connections are shown the typing indicator until the reply arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from server.channels import parse_webchat_message, webchat_typing
from server.turn_queue import TurnAnnouncer
from server.webchat.frames import Accepted
from server.webchat.hub import WebchatHub
from tools.clock import Clock
from tools.inbox import InboxStore

log = logging.getLogger("frontdesk.webchat")

WEBCHAT_BODY_LIMIT = 32_000
"""Bytes one message may take on the wire (4000 characters of Cyrillic text and the JSON around them)."""


class MessageTooLarge(Exception):
    """The message is over `WEBCHAT_BODY_LIMIT` bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the message is {size} bytes; at most {WEBCHAT_BODY_LIMIT} are accepted")


@dataclass(frozen=True)
class WebchatIntake:
    """What taking in a message needs."""

    inbox: InboxStore
    clock: Clock
    hub: WebchatHub
    wake_worker: Callable[[], None] | None = None
    """Wakes this process's inbox worker (embedded mode)."""
    announcer: TurnAnnouncer | None = None
    """Announces the conversation to worker processes (Redis mode)."""

    async def accept(self, raw: bytes, *, session_id: str) -> Accepted:
        """Store one message of `session_id`.

        Raises:
            MessageTooLarge: over `WEBCHAT_BODY_LIMIT` bytes.
            MalformedPayload: not a message the protocol allows; the reason says what is wrong.
        """
        if len(raw) > WEBCHAT_BODY_LIMIT:
            raise MessageTooLarge(len(raw))
        now = self.clock.now()
        event = parse_webchat_message(raw, session_id=session_id, received_at=now)
        stored, new = await self.inbox.accept(event.for_inbox())
        message_id = event.provider_id.removeprefix(f"{session_id}:")
        if not new:
            return Accepted(message_id, "duplicate")
        if self.wake_worker is not None:
            self.wake_worker()
        if self.announcer is not None:
            await self.announcer.announce([stored.conversation_key])
        try:
            await self.hub.publish(session_id, webchat_typing(session_id=session_id, at=now))
        except (RedisError, OSError) as error:
            log.warning("web chat %s: no typing indicator: %s", session_id, error)
        return Accepted(message_id, "stored")
