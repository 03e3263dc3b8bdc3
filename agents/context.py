"""Run dependencies: what nodes and specialists use, passed through LangGraph's runtime context."""

from __future__ import annotations

from dataclasses import dataclass

from agents.knowledge import KnowledgeAnswerer
from agents.replies import Replies
from agents.understanding import Understander
from tools.appointments import Appointments
from tools.clock import Clock
from tools.payments import PaymentProvider
from tools.playbook import Playbook
from tools.sql import BusinessStores


@dataclass(frozen=True, kw_only=True)
class RunDeps:
    """Everything a turn needs besides the conversation's own state. Never shown to a model."""

    playbook: Playbook
    stores: BusinessStores
    understanding: Understander
    clock: Clock
    appointments: Appointments
    payments: PaymentProvider
    replies: Replies
    knowledge: KnowledgeAnswerer | None = None
    """Answers from the business's documents; None when no knowledge base is set up."""
    console_url: str = "http://127.0.0.1:8000"
    """Where staff open conversations (links in notifications)."""
