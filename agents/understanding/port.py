"""The understanding port: text in, structured meaning out."""

from __future__ import annotations

from typing import Protocol

from agents.understanding.model import DialogueContext, Understanding


class Understander(Protocol):
    """Turns a customer message into an `Understanding`.

    Implementations never decide what happens next; agent policy does.
    """

    async def understand(self, text: str, context: DialogueContext) -> Understanding:
        """The meaning of `text` in the conversation described by `context`."""
        ...
