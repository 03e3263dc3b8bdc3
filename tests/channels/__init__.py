"""Tests of the channel protocol adapters (server.channels)."""
