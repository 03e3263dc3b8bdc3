"""Held-out evaluation of the offline understanding: intent routing in English and Russian."""

__all__: list[str] = []
