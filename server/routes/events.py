"""``POST /api/events``: business events from other systems, authenticated with an API token.

``Authorization: Bearer fdt_…`` (tokens: ``frontdesk tokens add NAME``). An unknown or revoked
token → 401; an unknown event type → 422 with the allowed list; a malformed event → 422 naming the
field; a record that does not exist → 404; a change its state forbids → 409. A redelivered event
(same id from the same sender) does nothing more and gets the same answer.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from server.business_events import EVENT_TYPES, BusinessEvent, handle_event
from server.deps import StateDep

router = APIRouter(prefix="/api", tags=["business events"])

_EVENTS: TypeAdapter[BusinessEvent] = TypeAdapter(BusinessEvent)
MAX_EVENT_BYTES = 64_000


def _refused(status: int, detail: str, **extra: object) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


@router.post("/events", status_code=202)
async def business_event(request: Request, state: StateDep) -> JSONResponse:
    """Order delivered, payment received, no-show, lead status: each starts or stops a flow."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    token = await state.stores.api_tokens.verify(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return _refused(
            401, "send a valid API token as 'Authorization: Bearer <token>' (frontdesk tokens add NAME)"
        )
    body = await request.body()
    if len(body) > MAX_EVENT_BYTES:
        return _refused(413, f"an event is at most {MAX_EVENT_BYTES} bytes")
    try:
        raw = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _refused(400, f"the body is not JSON: {error}")
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in EVENT_TYPES:
        return _refused(422, f"unknown event type {kind!r}", allowed=list(EVENT_TYPES))
    try:
        event = _EVENTS.validate_python(raw)
    except ValidationError as error:
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors()]
        return _refused(422, "; ".join(problems), problems=problems)
    outcome = await handle_event(event, sender=token.name, stores=state.stores, runner=state.runner)
    return JSONResponse({"event": event.id, "type": event.type, "outcome": outcome.outcome}, status_code=202)
