"""What the web-chat routes share: the hub and intake of the running server, CORS headers."""

from __future__ import annotations

from fastapi import HTTPException

from server.state import AppState
from server.webchat import WebchatHub, WebchatIntake

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
"""The widget runs on the business's own site, another origin; it sends no cookies (the session id
in the URL is the only credential), so any origin may call."""


def hub_of(state: AppState) -> WebchatHub:
    """The server's hub; 404 when the web chat is off."""
    if state.webchat_hub is None:
        raise HTTPException(404, "the web chat is not enabled on this server", headers=CORS_HEADERS)
    return state.webchat_hub


def intake_of(state: AppState) -> WebchatIntake:
    """Takes customers' messages into the inbox."""
    return WebchatIntake(state.stores.inbox, state.clock, hub_of(state), state.wake_worker, state.announcer)
