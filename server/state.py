"""What the running server holds: built once in the lifespan, reached by routes through `deps`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph import ConversationRunner
from server.settings import Settings
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
