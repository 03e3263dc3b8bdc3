"""Scripted dialogue evals: the suite format, the engine that runs it, metrics and reports."""

__all__: list[str] = []
