"""The conversation graph: the supervisor, its guardrails and routing to specialists."""

__all__: list[str] = []
