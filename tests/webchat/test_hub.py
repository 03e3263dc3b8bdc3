"""The web-chat hub: frames reach every connection of a session, in one process or across processes (Redis)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from server.channels import MalformedPayload, WebchatFrame, webchat_typing
from server.delivery import RetryLater, Sent
from server.webchat import LocalHub, RedisHub, WebchatSender, open_webchat_hub
from server.webchat.frames import decode_frame, encode_frame
from tests.api.webchat_server import REDIS_URL
from tools.conversations import Direction, Message
from tools.inbox import Delivery, DeliveryStatus

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SESSION = "s_hub0test0001"


def _reply(text: str = "Когда удобно?", buttons: tuple[str, ...] = ("Утром", "Вечером")) -> Message:
    return Message("msg_1", f"webchat:{SESSION}", Direction.OUT, text, NOW, buttons=buttons)


def _delivery() -> Delivery:
    return Delivery(
        "dl_1",
        "msg_1",
        f"webchat:{SESSION}",
        "webchat",
        SESSION,
        DeliveryStatus.PENDING,
        0,
        NOW,
        None,
        None,
        NOW,
    )


async def test_a_frame_reaches_every_connection_of_its_session_only() -> None:
    hub = LocalHub()
    async with (
        hub.subscribe(SESSION) as tab1,
        hub.subscribe(SESSION) as tab2,
        hub.subscribe("s_other0001") as other,
    ):
        assert await WebchatSender(hub).send(_delivery(), _reply()) == Sent("msg_1")
        got = [await tab.next(timeout_s=1) for tab in (tab1, tab2)]
        assert await other.next(timeout_s=0.05) is None
    assert got[0] == got[1] == WebchatFrame("message", "msg_1", NOW, "Когда удобно?", ("Утром", "Вечером"))
    assert hub.connections(SESSION) == 0


async def test_an_offline_browser_is_not_a_failed_delivery() -> None:
    assert await WebchatSender(LocalHub()).send(_delivery(), _reply()) == Sent("msg_1")


def test_frames_cross_processes_unchanged() -> None:
    typing = webchat_typing(session_id=SESSION, at=NOW)
    reply = WebchatFrame("message", "msg_1", NOW, "Цена — 1 800 ₽", ("Да", "Нет"))
    assert [decode_frame(encode_frame(frame).encode()) for frame in (typing, reply)] == [typing, reply]
    with pytest.raises(MalformedPayload, match="frame type"):
        decode_frame(b'{"type": "ack", "id": "x", "at": "2027-03-01T09:00:00+00:00"}')


@pytest.mark.redis
async def test_with_redis_a_reply_sent_by_another_process_reaches_the_socket() -> None:
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    async with (
        open_webchat_hub(REDIS_URL, namespace=namespace) as api_process,
        open_webchat_hub(REDIS_URL, namespace=namespace) as worker_process,
        open_webchat_hub(REDIS_URL, namespace=f"{namespace}-other") as other_business,
    ):
        assert isinstance(api_process, RedisHub)
        async with api_process.subscribe(SESSION) as socket, other_business.subscribe(SESSION) as elsewhere:
            outcome = await WebchatSender(worker_process).send(_delivery(), _reply())
            await worker_process.publish(SESSION, webchat_typing(session_id=SESSION, at=NOW))
            frames = [await socket.next(timeout_s=5), await socket.next(timeout_s=5)]
            assert await elsewhere.next(timeout_s=0.3) is None
    assert outcome == Sent("msg_1")
    assert frames == [
        WebchatFrame("message", "msg_1", NOW, "Когда удобно?", ("Утром", "Вечером")),
        webchat_typing(session_id=SESSION, at=NOW),
    ]


async def test_when_redis_is_down_the_delivery_is_retried() -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        outcome = await asyncio.wait_for(
            WebchatSender(RedisHub(client, namespace="x")).send(_delivery(), _reply()), 10
        )
    finally:
        await client.aclose()
    assert isinstance(outcome, RetryLater) and "unreachable" in outcome.reason
