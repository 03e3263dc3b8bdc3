"""A minimal Telegram Bot API stand-in for the webhook benchmark: answers and counts every call.

An ASGI app served by uvicorn inside the benchmark's event loop, with keep-alive, so it costs
little CPU next to the server under test. It accepts ``sendMessage``, ``sendChatAction`` and
``answerCallbackQuery`` for one token and counts the ``sendMessage`` calls per chat; it checks
nothing else (the real request shapes are tested against `tests/fakes/providers.py`). A simulated
customer waits for the bot's answer with `wait_reply`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class FakeTelegram:
    """Counts what the bot sent; `serve` runs it on 127.0.0.1:`port` until the task is cancelled."""

    token: str
    port: int
    sent: Counter[str] = field(default_factory=Counter)
    """``sendMessage`` calls per chat id."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _news: dict[str, asyncio.Event] = field(default_factory=dict)
    """Set when a chat is sent a message (cleared by the waiter)."""

    @property
    def url(self) -> str:
        """The value for ``FRONTDESK_TELEGRAM_API_URL``."""
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = self._answer(scope["path"], body)
        payload = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _answer(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        if method != "sendMessage":
            return 200, {"ok": True, "result": True}
        request = json.loads(body or b"{}")
        chat = str(request.get("chat_id"))
        self.sent[chat] += 1
        news = self._news.get(chat)
        if news is not None:
            news.set()
        result = {"message_id": next(self._ids), "date": 0, "chat": {"id": chat}, "text": request.get("text")}
        return 200, {"ok": True, "result": result}

    async def wait_reply(self, chat: str, seen: int, timeout_s: float) -> bool:
        """Wait until `chat` was sent more than `seen` messages; False when `timeout_s` passed first."""
        news = self._news.setdefault(chat, asyncio.Event())
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self.sent[chat] <= seen:
            news.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(news.wait(), left)
            except TimeoutError:
                return self.sent[chat] > seen
        return True

    def server(self) -> uvicorn.Server:
        """A uvicorn server for this app (``await server.serve()`` in a task)."""
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        return uvicorn.Server(config)


async def until_started(server: uvicorn.Server, timeout_s: float = 10.0) -> None:
    """Wait for a uvicorn server started in a task."""
    for _ in range(int(timeout_s / 0.02)):
        if server.started:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the fake Telegram API did not start")
