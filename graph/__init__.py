"""The conversation graph: the supervisor, its guardrails and routing to specialists, and the runner."""

from graph.builder import create_graph
from graph.checkpoints import open_checkpointer
from graph.runner import ConversationRunner, Inbound, TurnResult

__all__ = ["ConversationRunner", "Inbound", "TurnResult", "create_graph", "open_checkpointer"]
