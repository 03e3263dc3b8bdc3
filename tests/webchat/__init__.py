"""Tests of the web chat's server side (server.webchat): the hub, the sender, the frames."""
