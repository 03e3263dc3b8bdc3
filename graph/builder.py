"""The conversation graph: understand → supervise → one specialist → (pause for staff) → finish."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.context import RunDeps
from graph import nodes
from graph.state import ConversationState


def _after_supervise(state: ConversationState) -> str:
    return state.get("route") or "finish"


def _after_specialist(state: ConversationState) -> str:
    if state.get("pending"):
        return "await_staff"
    if state.get("route") in nodes.SPECIALISTS:
        return state["route"]
    return "finish"


def create_graph(*, checkpointer: BaseCheckpointSaver[Any] | None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Build the conversation graph with one checkpointer for everything (approvals resume across restarts)."""
    builder = StateGraph(ConversationState, context_schema=RunDeps)
    builder.add_node("understand", nodes.understand)
    builder.add_node("supervise", nodes.supervise)
    for name in nodes.AGENT_NODES:
        node: Any = nodes.specialist_node(name)
        builder.add_node(name, node)
        builder.add_conditional_edges(name, _after_specialist, [*nodes.SPECIALISTS, "await_staff", "finish"])
    builder.add_node("await_staff", nodes.await_staff)
    builder.add_node("finish", nodes.finish)
    builder.add_edge(START, "understand")
    builder.add_edge("understand", "supervise")
    builder.add_conditional_edges("supervise", _after_supervise, [*nodes.AGENT_NODES, "finish"])
    builder.add_edge("await_staff", "finish")
    builder.add_edge("finish", END)
    return builder.compile(checkpointer=checkpointer)
