"""The HTTP server, the settings and the `frontdesk` command line."""

__all__: list[str] = []
