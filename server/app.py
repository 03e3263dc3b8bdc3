"""The FastAPI application: built by `create_app`, its parts opened in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI

from agents.knowledge import KnowledgeAnswerer
from server.assembly import open_frontdesk
from server.errors import install_error_handlers
from server.routes import health, home, payments
from server.settings import Settings
from server.state import AppState
from tools.clock import Clock, SystemClock

log = logging.getLogger("frontdesk.server")


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    knowledge: KnowledgeAnswerer | Literal["open", "none"] = "open",
) -> FastAPI:
    """Build the server for `settings`; the database, playbook and knowledge base open when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_frontdesk(settings, clock=clock or SystemClock(), knowledge=knowledge) as desk:
            app.state.frontdesk = AppState(
                settings=settings,
                playbook=desk.playbook,
                stores=desk.stores,
                payments=desk.deps.payments,
                clock=desk.deps.clock,
                runner=desk.runner,
            )
            log.info("serving %s on %s", desk.playbook.business.id, settings.effective_public_url)
            yield

    app = FastAPI(
        title="Frontdesk",
        summary="A self-hosted AI front desk: sales, bookings, quotes, support and internal routing.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(payments.router)
    app.include_router(home.router)
    return app
