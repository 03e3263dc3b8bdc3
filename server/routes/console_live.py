"""Live updates for open console pages: a server-sent event stream of conversations that changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from server.console.auth import StaffDep
from server.deps import StateDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

KEEPALIVE_S = 15.0
"""A comment line this often keeps proxies from closing a quiet stream."""


@router.get("/events")
async def console_events(request: Request, state: StateDep, session: StaffDep) -> StreamingResponse:
    """``changed`` events naming the conversations that changed (``reload`` when the page fell too far behind).

    The page redraws what it shows of them; on reconnecting it redraws everything, so a gap in the
    stream loses nothing.
    """
    feed = state.console_feed
    assert feed is not None, "the console feed is built in the lifespan"

    async def events() -> AsyncIterator[str]:
        async with feed.watch() as watcher:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                changed = await watcher.next_batch(timeout_s=KEEPALIVE_S)
                if watcher.overflowed:
                    watcher.overflowed = False
                    yield "event: reload\ndata: {}\n\n"
                elif changed:
                    yield f"event: changed\ndata: {json.dumps({'conversations': changed})}\n\n"
                else:
                    yield ": keep-alive\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
