"""The FastAPI application: built by `create_app`, its parts opened in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server.errors import install_error_handlers
from server.routes import health, home, payments
from server.settings import Settings
from server.state import AppState
from tools.clock import Clock, SystemClock
from tools.payments import BuiltinPaymentProvider
from tools.playbook import load_playbook
from tools.sql import open_stores

log = logging.getLogger("frontdesk.server")


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """Build the server for `settings`; the database and playbook open when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        playbook = load_playbook(settings.playbook)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        stores = await open_stores(settings.effective_database_url, clock=clock or SystemClock())
        app.state.frontdesk = AppState(
            settings=settings,
            playbook=playbook,
            stores=stores,
            payments=BuiltinPaymentProvider(settings.effective_public_url),
            clock=clock or SystemClock(),
        )
        log.info("serving %s on %s", playbook.business.id, settings.effective_public_url)
        try:
            yield
        finally:
            await stores.close()

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
