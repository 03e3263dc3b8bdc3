"""The web-chat frames besides replies and typing: acknowledgements, errors, history entries.

The widget reads every frame by its ``type``:

- ``ready``: the WebSocket is subscribed; the widget loads history and resends what is unacknowledged;
- ``ack``: a message was stored (``status`` ``stored``) or was already stored (``duplicate``);
- ``error``: a message was refused; ``reason`` says why (the socket stays open);
- ``message`` and ``typing``: `server.channels.WebchatFrame`.

History entries are message frames with ``from`` (``customer``, ``bot`` or ``staff``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from server.channels import MalformedPayload, WebchatFrame
from server.channels._json import load_object

Author = Literal["customer", "bot", "staff"]
AcceptStatus = Literal["stored", "duplicate"]


@dataclass(frozen=True)
class Accepted:
    """A customer's message is in the durable inbox."""

    id: str
    """The browser's message id."""
    status: AcceptStatus

    def to_json(self) -> dict[str, str]:
        """The ``ack`` frame."""
        return {"type": "ack", "id": self.id, "status": self.status}


@dataclass(frozen=True)
class HistoryEntry:
    """One message of the conversation as the widget shows it."""

    id: str
    """The browser's id for the customer's messages, the transcript's id for the business's."""
    author: Author
    text: str
    at: datetime
    buttons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """A ``message`` frame with ``from``."""
        return {
            "type": "message",
            "id": self.id,
            "from": self.author,
            "at": self.at.isoformat(),
            "text": self.text,
            "buttons": list(self.buttons),
        }


def ready_frame(session_id: str) -> dict[str, str]:
    """Sent once a WebSocket is subscribed to its session."""
    return {"type": "ready", "session": session_id}


def error_frame(reason: str, *, message_id: str | None = None) -> dict[str, str]:
    """A refused message: the reason, and the message's id when it could be read."""
    frame = {"type": "error", "reason": reason}
    if message_id:
        frame["id"] = message_id
    return frame


def claimed_id(raw: bytes) -> str | None:
    """The ``id`` a refused message claims, so the widget can mark that message; None if unreadable."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    claimed = value.get("id") if isinstance(value, dict) else None
    return claimed[:64] if isinstance(claimed, str) else None


def encode_frame(frame: WebchatFrame) -> str:
    """`frame` as JSON text, for carrying between processes."""
    return json.dumps(frame.to_json(), ensure_ascii=False)


def decode_frame(raw: bytes) -> WebchatFrame:
    """The frame `encode_frame` wrote (MalformedPayload when it is not one)."""
    node = load_object(raw, what="web chat frame")
    kind = node.text("type")
    if kind not in ("message", "typing"):
        raise MalformedPayload(f"frame type is {kind!r}")
    try:
        at = datetime.fromisoformat(node.text("at"))
    except ValueError as error:
        raise MalformedPayload(f"frame time is not ISO 8601: {error}") from error
    buttons = node.value.get("buttons", [])
    if not isinstance(buttons, list) or not all(isinstance(b, str) for b in buttons):
        raise MalformedPayload("frame buttons are not a list of strings")
    return WebchatFrame(
        "message" if kind == "message" else "typing",
        node.text("id"),
        at,
        node.opt_text("text") or "",
        tuple(buttons),
    )
