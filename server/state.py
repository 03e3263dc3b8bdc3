"""What the running server holds: built once in the lifespan, reached by routes through `deps`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from graph import ConversationRunner
from server.console.actions import StaffActions
from server.console.feed import ConsoleFeed
from server.settings import Settings
from server.turn_queue import TurnAnnouncer
from server.webchat.hub import WebchatHub
from tools.clock import Clock
from tools.payments import PaymentProvider
from tools.playbook import Playbook
from tools.sql import BusinessStores


@dataclass(frozen=True)
class AppState:
    """The long-lived parts of one server process."""

    settings: Settings
    playbook: Playbook
    stores: BusinessStores
    payments: PaymentProvider
    clock: Clock
    runner: ConversationRunner
    wake_worker: Callable[[], None] | None = None
    """Tell the inbox worker something arrived (None when no worker runs in this process)."""
    announcer: TurnAnnouncer | None = None
    """Announces conversations with new events to worker processes (Redis); None without ``REDIS_URL``."""
    webchat_hub: WebchatHub | None = None
    """Carries web-chat frames to browsers' live connections (None: the web chat is off)."""
    redis: Redis | None = None
    """The Redis client of this process (None without ``REDIS_URL``)."""
    console_feed: ConsoleFeed | None = None
    """Which conversations changed, for the console's live pages."""
    staff_actions: StaffActions | None = None
    """Take over, reply, hand back, decide approvals: what staff do from the console."""
