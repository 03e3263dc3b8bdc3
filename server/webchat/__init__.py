"""The web-chat widget's server side: the hub that carries frames to browsers, intake, history, sender.

The routes are in `server.routes.webchat`; the protocol (message parsing, reply frames) is in
`server.channels.webchat`; the widget itself is `server/static/webchat.js`.
"""

from server.webchat.frames import Accepted, HistoryEntry
from server.webchat.history import webchat_conversation, webchat_history
from server.webchat.hub import LocalHub, Subscription, WebchatHub
from server.webchat.intake import WEBCHAT_BODY_LIMIT, MessageTooLarge, WebchatIntake
from server.webchat.redis_hub import RedisHub, open_webchat_hub
from server.webchat.sender import WebchatSender

__all__ = [
    "Accepted",
    "HistoryEntry",
    "LocalHub",
    "MessageTooLarge",
    "RedisHub",
    "Subscription",
    "WEBCHAT_BODY_LIMIT",
    "WebchatHub",
    "WebchatIntake",
    "WebchatSender",
    "open_webchat_hub",
    "webchat_conversation",
    "webchat_history",
]
