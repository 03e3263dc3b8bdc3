"""Specialist agents: sales qualifier, booking coordinator, quoting, support triage, internal router."""

__all__: list[str] = []
