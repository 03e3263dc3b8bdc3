"""The channel package is pure protocol code with an honest public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import server.channels
from server.channels import InboundEvent, OutboundMessage
from tests.conftest import ROOT

MODULES = sorted((ROOT / "server/channels").glob("*.py"))


def test_exports_are_sorted_and_real() -> None:
    exported = list(server.channels.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(server.channels, name), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_imports_a_web_framework_or_reads_the_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"fastapi", "starlette", "httpx", "os", "requests"}
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_a_reply_must_say_something_and_buttons_need_titles() -> None:
    with pytest.raises(ValueError, match="empty"):
        OutboundMessage("   ")
    with pytest.raises(ValueError, match="empty title"):
        OutboundMessage("Choose", ("Yes", " "))


def test_an_event_time_must_be_aware() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        InboundEvent(
            channel="webchat",
            provider_id="p",
            chat_id="c",
            sender_id="c",
            sender_name=None,
            text="hi",
            kind="text",
            at=datetime(2027, 3, 1),
        )
