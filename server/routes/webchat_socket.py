"""The web-chat WebSocket: messages in (acknowledged once stored), frames out, one socket per tab.

On connect the socket subscribes to its session and sends ``ready``; the widget then loads the
history and resends what was never acknowledged. A refused message gets an ``error`` frame with
the reason and the socket stays open. When the inbox cannot store a message the socket closes
with 1011, so the widget reconnects and resends it: nothing acknowledged is ever lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.channels import MalformedPayload, check_session_id
from server.routes._webchat import hub_of, intake_of
from server.state import AppState
from server.webchat import MessageTooLarge, Subscription, WebchatIntake
from server.webchat.frames import claimed_id, error_frame, ready_frame

log = logging.getLogger("frontdesk.webchat")
router = APIRouter()

Send = Callable[[Mapping[str, object]], Awaitable[None]]
IDLE_S = 3600.0
"""How long the forwarder waits for a frame before looking again (the protocol pings keep the socket)."""


async def _forward(subscription: Subscription, send: Send) -> None:
    while True:
        frame = await subscription.next(timeout_s=IDLE_S)
        if frame is not None:
            await send(frame.to_json())


async def _receive(websocket: WebSocket, intake: WebchatIntake, session_id: str, send: Send) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw: bytes = message.get("bytes") or (message.get("text") or "").encode()
        try:
            accepted = await intake.accept(raw, session_id=session_id)
        except MessageTooLarge as error:
            await send(error_frame(str(error)))
        except MalformedPayload as error:
            await send(error_frame(error.reason, message_id=claimed_id(raw)))
        else:
            await send(accepted.to_json())


async def _serve(websocket: WebSocket, state: AppState, session_id: str) -> None:
    lock = asyncio.Lock()

    async def send(frame: Mapping[str, object]) -> None:
        async with lock:
            await websocket.send_text(json.dumps(frame, ensure_ascii=False))

    async with hub_of(state).subscribe(session_id) as subscription:
        await send(ready_frame(session_id))
        tasks = {
            asyncio.create_task(_forward(subscription, send), name=f"webchat-out:{session_id}"),
            asyncio.create_task(
                _receive(websocket, intake_of(state), session_id, send), name=f"webchat-in:{session_id}"
            ),
        }
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()


@router.websocket("/ws/{session_id}")
async def socket(websocket: WebSocket, session_id: str) -> None:
    """One browser tab's connection to its session."""
    state: AppState = websocket.app.state.frontdesk
    await websocket.accept()
    try:
        check_session_id(session_id)
        if state.webchat_hub is None:
            raise MalformedPayload("the web chat is not enabled on this server")
    except MalformedPayload as error:
        await websocket.send_text(json.dumps(error_frame(error.reason)))
        await websocket.close(1008, error.reason[:120])
        return
    try:
        await _serve(websocket, state, session_id)
    except (WebSocketDisconnect, OSError):
        log.debug("web chat %s: the browser went away", session_id)
    except Exception:
        log.exception("web chat %s: the socket failed; the widget will reconnect and resend", session_id)
        if websocket.client_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close(1011, "server error; reconnect")
