"""FastAPI dependencies: typed access to the server's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.state import AppState


async def _state(request: Request) -> AppState:
    """The state (async: FastAPI runs a plain function dependency in a thread pool, a thread hop per request)."""
    state: AppState = request.app.state.frontdesk
    return state


StateDep = Annotated[AppState, Depends(_state)]
"""The server's state, for route handlers."""
