"""JSON log lines carry the conversation they are about."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from server.logs import (
    ConversationFilter,
    JsonLogFormatter,
    configure_logging,
    conversation_context,
    current_conversation,
)


def _line(record: logging.LogRecord) -> dict[str, object]:
    ConversationFilter().filter(record)
    parsed: dict[str, object] = json.loads(JsonLogFormatter().format(record))
    return parsed


def _record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            info = sys.exc_info()
    return logging.LogRecord("frontdesk.worker", logging.WARNING, __file__, 1, message, args, info)


def test_a_line_inside_a_conversation_names_it_and_outside_none() -> None:
    with conversation_context("telegram:123"):
        inside = _line(_record("turn %s failed", "bt_1"))
        assert current_conversation() == "telegram:123"
    outside = _line(_record("idle"))
    assert inside["conversation_id"] == "telegram:123" and inside["message"] == "turn bt_1 failed"
    assert inside["level"] == "warning" and inside["logger"] == "frontdesk.worker"
    assert outside["conversation_id"] is None and current_conversation() is None


def test_russian_text_and_exceptions_stay_readable_on_one_line() -> None:
    line = JsonLogFormatter().format(_record("клиент написал «привет»", exc=True))
    assert "\n" not in line and "«привет»" in line
    assert "ValueError: boom" in json.loads(line)["exception"]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_configure_logging_tags_every_logger(log_format: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging(log_format, "INFO")  # type: ignore[arg-type]
        with conversation_context("webchat:abc12345"):
            logging.getLogger("httpx").info("HTTP Request: POST /sendMessage")
        err = capsys.readouterr().err.strip().splitlines()[-1]
        if log_format == "json":
            assert json.loads(err)["conversation_id"] == "webchat:abc12345"
        else:
            assert "[webchat:abc12345]" in err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
