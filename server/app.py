"""The FastAPI application: built by `create_app`, its parts opened in the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import httpx
from fastapi import FastAPI

from agents.knowledge import KnowledgeAnswerer
from server.assembly import open_frontdesk
from server.delivery import DeliveryWorker
from server.errors import install_error_handlers
from server.routes import health, home, payments, webhooks
from server.senders import channel_senders
from server.settings import Settings
from server.state import AppState
from server.worker import InboxWorker
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
        async with (
            open_frontdesk(settings, clock=clock or SystemClock(), knowledge=knowledge) as desk,
            httpx.AsyncClient(timeout=10.0) as client,
        ):
            worker = InboxWorker(desk.stores.inbox, desk.runner, burst_s=settings.burst_s)
            outbox = DeliveryWorker(
                desk.stores.inbox,
                desk.stores.conversations,
                desk.stores.notifications,
                channel_senders(settings, client),
                console_url=settings.effective_public_url,
            )
            app.state.frontdesk = AppState(
                settings=settings,
                playbook=desk.playbook,
                stores=desk.stores,
                payments=desk.deps.payments,
                clock=desk.deps.clock,
                runner=desk.runner,
                wake_worker=worker.wake,
            )
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(worker.run(stop), name="inbox-worker"),
                asyncio.create_task(outbox.run(stop), name="outbox-worker"),
            ]
            log.info("serving %s on %s", desk.playbook.business.id, settings.effective_public_url)
            try:
                yield
            finally:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)

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
    app.include_router(webhooks.router)
    return app
