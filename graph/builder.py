"""The conversation graph: `respond` (understand → supervise → specialists → finish), and `await_staff` when staff must decide."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.context import RunDeps
from graph import nodes
from graph.state import ConversationState


def _after_respond(state: ConversationState) -> str:
    return "await_staff" if state.get("pending") else END


def create_graph(*, checkpointer: BaseCheckpointSaver[Any] | None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Build the conversation graph with one checkpointer for everything (approvals resume across restarts).

    A turn is one step (`respond`), so LangGraph's per-step bookkeeping is paid once per message;
    a turn that needs staff's decision pauses in `await_staff` (the node name paused conversations
    resume at) and finishes there after the decision.
    """
    builder = StateGraph(ConversationState, context_schema=RunDeps)
    builder.add_node("respond", nodes.respond)
    builder.add_node("await_staff", nodes.await_staff)
    builder.add_edge(START, "respond")
    builder.add_conditional_edges("respond", _after_respond, ["await_staff", END])
    builder.add_edge("await_staff", END)
    return builder.compile(checkpointer=checkpointer)
