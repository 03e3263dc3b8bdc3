"""Eval suites: scripted dialogues run through the same path as real channels."""

__all__: list[str] = []
