"""Logs as JSON lines, each carrying the conversation it is about.

Code that works on one conversation (a turn, a send, a webhook event) runs inside
`conversation_context`; every log line written meanwhile — by Frontdesk, LangGraph, httpx or
SQLAlchemy — gets its ``conversation_id``. `configure_logging` installs the JSON formatter on the
root logger (uvicorn's own loggers propagate to it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["json", "text"]

_conversation: ContextVar[str | None] = ContextVar("conversation_id", default=None)


@contextmanager
def conversation_context(conversation_id: str | None) -> Iterator[None]:
    """Tag every log line written inside the block with `conversation_id`."""
    token = _conversation.set(conversation_id)
    try:
        yield
    finally:
        _conversation.reset(token)


def current_conversation() -> str | None:
    """The conversation the code is working on, if any."""
    return _conversation.get()


class ConversationFilter(logging.Filter):
    """Adds ``conversation_id`` to every record (None outside a conversation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record; only annotates it."""
        if not hasattr(record, "conversation_id"):
            record.conversation_id = _conversation.get()
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, conversation id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, str | int | None] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "conversation_id": getattr(record, "conversation_id", None),
            "process": record.process,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: LogFormat = "json", level: str = "INFO") -> None:
    """Send every log line to stderr, as JSON (or readable text), tagged with its conversation."""
    handler = logging.StreamHandler()
    handler.addFilter(ConversationFilter())
    if log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(conversation_id)s] %(message)s")
        )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
