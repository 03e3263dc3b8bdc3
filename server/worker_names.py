"""The name a process's workers take leases under: unique to the process."""

from __future__ import annotations

import os
import socket


def worker_name() -> str:
    """A name unique to this process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"
