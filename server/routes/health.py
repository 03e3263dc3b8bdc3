"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(state: StateDep) -> JSONResponse:
    """The process can serve: its database answers. Redis and the knowledge base are reported, not
    required: without Redis, turns still reach the workers through the database inbox (slower); without
    the knowledge base, support offers a person instead of answering from documents."""
    checks: dict[str, str] = {}
    try:
        async with state.stores.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    if state.redis is not None:
        try:
            await state.redis.ping()  # type: ignore[misc]
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__} (turns go on through the database inbox)"
    checks["knowledge_base"] = "ok" if state.runner.deps.knowledge is not None else "unavailable"
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
