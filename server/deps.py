"""FastAPI dependencies: typed access to the server's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.state import AppState


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.frontdesk
    return state


StateDep = Annotated[AppState, Depends(_state)]
"""The server's state, for route handlers."""
