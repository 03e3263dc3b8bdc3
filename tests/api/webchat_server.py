"""A real Frontdesk server for the web-chat tests (API and browser), and an SSE reader."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from server.app import create_app
from server.settings import Settings
from tests.api.test_payment_page import _free_port, _until_started
from tests.conftest import ROOT
from tools.clock import Clock

REDIS_URL = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SESSION = "s_test0webchat01"


@asynccontextmanager
async def webchat_server(
    database_url: str,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    redis_url: str | None = None,
    burst_s: float = 0,
) -> AsyncIterator[str]:
    """The studio demo business served over real HTTP; yields its base URL.

    With `burst_s`, the worker waits that long after a message before answering (the typing dots show).
    """
    port = _free_port()
    settings = Settings(
        playbook=ROOT / "examples/studio/playbook.yaml",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        host="127.0.0.1",
        port=port,
        burst_s=burst_s,
    )
    app = create_app(settings, clock=clock, knowledge="none")
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    )
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        await task


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event: its id line (if any) and its JSON data."""

    id: str | None
    frame: dict[str, object]


async def sse_events(response: httpx.Response) -> AsyncIterator[SseEvent]:
    """The events of an open ``text/event-stream`` response (comments skipped)."""
    event_id: str | None = None
    data: list[str] = []
    async for line in response.aiter_lines():
        if line.startswith("data: "):
            data.append(line[6:])
        elif line.startswith("id: "):
            event_id = line[4:]
        elif line == "" and data:
            yield SseEvent(event_id, json.loads("\n".join(data)))
            event_id, data = None, []
