"""The web chat over real HTTP and WebSocket: typing, then the reply; once per message id; SSE + POST; history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.api.webchat_server import REDIS_URL, SESSION, SseEvent, sse_events, webchat_server
from tests.conftest import DATABASES
from tools.clock import FrozenClock

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
PRICE_QUESTION = "Сколько стоит маникюр?"


@pytest.fixture
async def server(database_url: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[str]:
    async with webchat_server(database_url, tmp_path, clock=clock) as url:
        yield url


def _ws(server: str, session: str = SESSION) -> str:
    return server.replace("http://", "ws://") + f"/webchat/ws/{session}"


async def _frame(socket: ClientConnection, timeout_s: float = 20.0) -> dict[str, object]:
    frame = json.loads(await asyncio.wait_for(socket.recv(), timeout_s))
    assert isinstance(frame, dict)
    return frame


async def _frames_until_reply(socket: ClientConnection) -> list[dict[str, object]]:
    """Frames up to and including the first reply, then any more replies of the same turn."""
    frames = [await _frame(socket)]
    while frames[-1]["type"] != "message":
        frames.append(await _frame(socket))
    while True:
        try:
            frames.append(await _frame(socket, timeout_s=0.7))
        except TimeoutError:
            return frames


async def _history(server: str, session: str = SESSION) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=server) as client:
        response = await client.get(f"/webchat/sessions/{session}/history")
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert isinstance(messages, list)
    return messages


async def test_a_message_over_the_websocket_gets_typing_then_the_reply(server: str) -> None:
    async with connect(_ws(server)) as socket:
        assert await _frame(socket) == {"type": "ready", "session": SESSION}
        await socket.send(json.dumps({"id": "c1", "text": PRICE_QUESTION}, ensure_ascii=False))
        frames = await _frames_until_reply(socket)
    kinds = [frame["type"] for frame in frames]
    assert kinds[:3] == ["ack", "typing", "message"], kinds
    assert frames[0] == {"type": "ack", "id": "c1", "status": "stored"}
    replies = [frame for frame in frames if frame["type"] == "message"]
    assert any("1 800 ₽" in str(reply["text"]) for reply in replies), replies
    assert replies[-1]["buttons"], "the studio offers to book: Да / Нет as chips"


async def test_the_same_message_id_sent_twice_is_answered_once(server: str) -> None:
    message = json.dumps({"id": "c1", "text": "hi"})
    async with connect(_ws(server)) as socket:
        await _frame(socket)
        await socket.send(message)
        first = await _frames_until_reply(socket)
    async with connect(_ws(server)) as socket:  # the widget reconnects and resends the unacknowledged
        await _frame(socket)
        await socket.send(message)
        assert await _frame(socket) == {"type": "ack", "id": "c1", "status": "duplicate"}
        with pytest.raises(TimeoutError):
            await _frame(socket, timeout_s=1.5)
    replies = [frame["id"] for frame in first if frame["type"] == "message"]
    history = await _history(server)
    assert [entry["id"] for entry in history] == ["c1", *replies]
    assert history[0]["from"] == "customer" and {entry["from"] for entry in history[1:]} == {"bot"}


async def _events_until_reply(events: AsyncIterator[SseEvent]) -> list[SseEvent]:
    """Events up to the first reply and the turn's further replies (the stream is spent after)."""
    got = [await asyncio.wait_for(anext(events), 20)]
    while got[-1].frame["type"] != "message":
        got.append(await asyncio.wait_for(anext(events), 20))
    while True:
        try:
            got.append(await asyncio.wait_for(anext(events), 0.7))
        except TimeoutError:
            return got


async def test_post_and_sse_get_the_reply_and_sse_resumes_after_last_event_id(server: str) -> None:
    events_url = f"/webchat/sessions/{SESSION}/events"
    posts_url = f"/webchat/sessions/{SESSION}/messages"
    body = json.dumps({"id": "p1", "text": PRICE_QUESTION}, ensure_ascii=False)
    async with httpx.AsyncClient(base_url=server, timeout=20.0) as client:
        async with client.stream("GET", events_url) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = sse_events(stream)
            assert (await anext(events)).frame == {"type": "ready", "session": SESSION}
            accepted = await client.post(posts_url, content=body, headers={"content-type": "text/plain"})
            again = await client.post(posts_url, content=body)
            first = await _events_until_reply(events)
        # Offline now: the browser misses the answer to "Да", then resumes after the last event it saw.
        await client.post(posts_url, content=json.dumps({"id": "p2", "text": "Да", "kind": "button"}))
        history = await _history(server)
        for _ in range(200):
            if history[-1]["from"] == "bot":
                break
            await asyncio.sleep(0.1)
            history = await _history(server)
        ids = [entry["id"] for entry in history]
        missed = ids[ids.index("p2") + 1 :]
        async with client.stream("GET", events_url, headers={"Last-Event-ID": str(first[-1].id)}) as stream:
            events = sse_events(stream)
            resumed = [await asyncio.wait_for(anext(events), 10) for _ in range(len(missed) + 1)]
    assert (accepted.status_code, accepted.json()) == (202, {"type": "ack", "id": "p1", "status": "stored"})
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert first[0].frame["type"] == "typing" and first[0].id is None
    replies = [event for event in first if event.frame["type"] == "message"]
    assert all(event.id == event.frame["id"] for event in replies)
    assert any("1 800 ₽" in str(event.frame["text"]) for event in replies)
    assert ids[: ids.index("p2")] == ["p1", *(event.id for event in replies)]
    assert missed and resumed[0].frame["type"] == "ready"
    assert [event.id for event in resumed[1:]] == missed


async def test_history_after_a_reconnect_has_both_sides_in_order(server: str) -> None:
    async with connect(_ws(server)) as socket:
        await _frame(socket)
        await socket.send(json.dumps({"id": "h1", "text": PRICE_QUESTION}, ensure_ascii=False))
        first = await _frames_until_reply(socket)
        await socket.send(json.dumps({"id": "h2", "text": "Да", "kind": "button"}, ensure_ascii=False))
        second = await _frames_until_reply(socket)
    history = await _history(server)
    replies = [[f["id"] for f in frames if f["type"] == "message"] for frames in (first, second)]
    assert [entry["id"] for entry in history] == ["h1", *replies[0], "h2", *replies[1]]
    assert history[0]["text"] == PRICE_QUESTION and history[0]["from"] == "customer"
    assert history[len(replies[0]) + 1]["text"] == "Да"


async def test_malformed_messages_get_the_reason_and_the_socket_stays_open(server: str) -> None:
    posts_url = f"/webchat/sessions/{SESSION}/messages"
    async with httpx.AsyncClient(base_url=server) as client:
        broken = await client.post(posts_url, content=b"{not json")
        empty = await client.post(posts_url, content=json.dumps({"id": "e1", "text": "  "}))
        huge = await client.post(posts_url, content=b"x" * 40_000)
        bad_session = await client.post(
            "/webchat/sessions/x/messages", content=json.dumps({"id": "a", "text": "hi"})
        )
        bad_history = await client.get("/webchat/sessions/no!/history")
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["detail"]
    assert empty.status_code == 400 and empty.json()["detail"] == "text is empty"
    assert huge.status_code == 413 and "at most" in huge.json()["detail"]
    assert bad_session.status_code == 400 and "session id" in bad_session.json()["detail"]
    assert bad_history.status_code in (400, 404)
    assert broken.headers["access-control-allow-origin"] == "*"
    async with connect(_ws(server)) as socket:
        await _frame(socket)
        await socket.send(json.dumps({"id": "e2", "text": "hi", "kind": "image"}))
        refused = await _frame(socket)
        await socket.send("hello")
        unreadable = await _frame(socket)
        await socket.send(json.dumps({"id": "e3", "text": "hi"}))
        accepted = await _frame(socket)
    assert refused == {"type": "error", "reason": "kind is 'image', expected 'text' or 'button'", "id": "e2"}
    assert unreadable["type"] == "error" and "not valid JSON" in str(unreadable["reason"])
    assert accepted == {"type": "ack", "id": "e3", "status": "stored"}
    async with connect(_ws(server, "bad")) as socket:
        assert (await _frame(socket))["type"] == "error"
        await asyncio.wait_for(socket.wait_closed(), 5)
    assert socket.close_code == 1008


async def test_the_widget_and_demo_page_are_served(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        script = await client.get("/webchat/widget.js")
        demo = await client.get("/webchat/demo", headers={"accept-language": "en"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "FrontdeskWebchat" in script.text
    assert demo.status_code == 200 and "<h1>Lumière Studio</h1>" in demo.text
    assert f'<script src="{server}/webchat/widget.js" data-lang="en"' in demo.text


@pytest.mark.redis
async def test_with_redis_the_reply_reaches_the_socket(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    async with (
        webchat_server(database_url, tmp_path, clock=clock, redis_url=REDIS_URL) as url,
        connect(_ws(url)) as socket,
    ):
        await _frame(socket)
        await socket.send(json.dumps({"id": "r1", "text": PRICE_QUESTION}, ensure_ascii=False))
        frames = await _frames_until_reply(socket)
    assert [frame["type"] for frame in frames][:3] == ["ack", "typing", "message"]
