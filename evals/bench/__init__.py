"""Benchmarks: speed and size figures measured on the real in-process path."""
