"""The FastAPI application: built by `create_app`, its parts opened in the lifespan."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import httpx
from fastapi import FastAPI

from agents.knowledge import KnowledgeAnswerer
from agents.proactive.flows import FLOWS
from server.alert_config import alert_worker
from server.assembly import open_frontdesk
from server.console.actions import StaffActions
from server.console.auth import install_console_errors
from server.console.bootstrap import ensure_first_admin, ensure_playbook_accounts
from server.console.feed import ConsoleFeed
from server.delivery import DeliveryWorker
from server.errors import install_error_handlers
from server.rate_limits import MemoryLimiter, RedisLimiter
from server.routes import (
    console_approvals,
    console_conversations,
    console_live,
    console_login,
    console_metrics,
    console_notifications,
    console_records,
    console_staff,
    console_static,
    events,
    health,
    home,
    metrics,
    payments,
    webhooks,
)
from server.routes import webchat as webchat_routes
from server.send_plans import SendPlanner
from server.senders import channel_account, channel_senders
from server.settings import Settings
from server.state import AppState
from server.timer_worker import TimerWorker
from server.webchat import WebchatSender, open_webchat_hub
from server.webhook_fast_path import FrontdeskAPI
from server.workers import open_processing, open_redis
from tools.clock import Clock, SystemClock

log = logging.getLogger("frontdesk.server")


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    knowledge: KnowledgeAnswerer | Literal["open", "none"] = "open",
) -> FastAPI:
    """Build the server for `settings`; the database, playbook and knowledge base open when it starts."""

    runs_workers = not settings.workers and not settings.api_only

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            open_frontdesk(settings, clock=clock or SystemClock(), knowledge=knowledge) as desk,
            httpx.AsyncClient(timeout=10.0) as client,
            open_webchat_hub(settings.redis_url, namespace=f"frontdesk:{desk.playbook.business.id}") as hub,
            open_redis(settings) as redis,
        ):
            outbox = DeliveryWorker(
                desk.stores.inbox,
                desk.stores.conversations,
                desk.stores.notifications,
                channel_senders(
                    settings,
                    client,
                    planner=SendPlanner(
                        desk.stores.conversations, desk.playbook, desk.deps.clock, channel_account(settings)
                    ),
                    inbox=desk.stores.inbox,
                    limiter=RedisLimiter(redis) if redis else MemoryLimiter(),
                ),
                console_url=settings.effective_public_url,
            )
            outbox.senders["webchat"] = WebchatSender(hub)
            async with open_processing(settings, desk, redis, outbox) as processing:
                await ensure_first_admin(desk.stores.staff_accounts, settings.data_dir)
                await ensure_playbook_accounts(desk.stores.staff_accounts, desk.playbook)
                feed = ConsoleFeed(desk.stores.conversation_list, desk.deps.clock.now)
                app.state.frontdesk = AppState(
                    settings=settings,
                    playbook=desk.playbook,
                    stores=desk.stores,
                    payments=desk.deps.payments,
                    clock=desk.deps.clock,
                    runner=desk.runner,
                    wake_worker=processing.wake if runs_workers else None,
                    announcer=processing.announcer,
                    webchat_hub=hub,
                    redis=redis,
                    console_feed=feed,
                    staff_actions=StaffActions(desk.stores, desk.runner),
                )
                alerts = alert_worker(
                    desk.playbook,
                    settings,
                    desk.stores.staff_alerts,
                    client,
                    clock=desk.deps.clock,
                    environ=os.environ,
                )
                stop = asyncio.Event()
                tasks = [asyncio.create_task(alerts.run(stop), name="alert-worker")]
                if runs_workers:  # else worker processes (`serve --workers N`, `frontdesk worker`) run them
                    tasks.append(asyncio.create_task(processing.run_inbox(stop), name="inbox-worker"))
                    tasks.append(asyncio.create_task(outbox.run(stop), name="outbox-worker"))
                    timer_worker = TimerWorker(
                        desk.deps, FLOWS, lease_s=settings.lease_s, index=desk.timer_index
                    )
                    tasks.append(asyncio.create_task(timer_worker.run(stop), name="timer-worker"))
                log.info("serving %s on %s", desk.playbook.business.id, settings.effective_public_url)
                try:
                    yield
                finally:
                    stop.set()
                    await feed.close()
                    await asyncio.gather(*tasks, return_exceptions=True)

    app = FrontdeskAPI(
        title="Frontdesk",
        summary="A self-hosted AI front desk: sales, bookings, quotes, support and internal routing.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_console_errors(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(payments.router)
    app.include_router(home.router)
    app.include_router(webhooks.router)
    app.include_router(events.router)
    app.include_router(webchat_routes.router)
    for console_router in (
        console_login.router,
        console_conversations.router,
        console_approvals.router,
        console_live.router,
        console_staff.router,
        console_records.router,
        console_metrics.router,
        console_notifications.router,
        console_static.router,
    ):
        app.include_router(console_router)
    return app
