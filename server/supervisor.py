"""Worker processes started and watched by `frontdesk serve --workers N`.

Each worker is a `frontdesk worker` child in its own session (a Ctrl-C in the terminal reaches
only `serve`, which then stops the workers in order). A worker that dies is started again after
a pause that doubles while it keeps dying (1 s up to 30 s). The workers start only once the API
answers, so the database is migrated and the knowledge base built by one process first.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("frontdesk.supervisor")

STABLE_S = 60.0
"""A worker that ran this long is healthy again: its restart pause starts over at 1 s."""


def worker_command(parent_pid: int) -> list[str]:
    """The command of one worker process (this interpreter, so the same virtual environment)."""
    return [sys.executable, "-m", "server.cli", "worker", "--parent-pid", str(parent_pid)]


@dataclass
class _Child:
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pause_s: float = 1.0
    restart_at: float = 0.0


@dataclass
class Supervisor:
    """Keeps `count` worker processes running until `stop`."""

    count: int
    command: Sequence[str]
    env: Mapping[str, str]
    ready: Callable[[], bool] = lambda: True
    """Checked before the first start (the API answers)."""
    _children: list[_Child] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def pids(self) -> list[int]:
        """The running workers' process ids."""
        return [c.process.pid for c in self._children if c.process is not None and c.process.poll() is None]

    def start(self) -> None:
        """Start watching in a background thread (the workers start once `ready` says so)."""
        self._children = [_Child() for _ in range(self.count)]
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()

    def stop(self, *, timeout_s: float = 20.0) -> None:
        """SIGTERM every worker (they finish the turn under way), SIGKILL those still running after `timeout_s`."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        running = [c.process for c in self._children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop in %.0f s; killing it", process.pid, timeout_s)
                process.kill()
                process.wait()

    def _watch(self) -> None:
        while not self._stopping.is_set() and not self.ready():
            self._stopping.wait(0.5)
        while not self._stopping.is_set():
            now = time.monotonic()
            for number, child in enumerate(self._children):
                self._tend(number, child, now)
            self._stopping.wait(0.5)

    def _tend(self, number: int, child: _Child, now: float) -> None:
        if child.process is not None:
            code = child.process.poll()
            if code is None:
                return
            lived = now - child.started
            child.pause_s = 1.0 if lived >= STABLE_S else min(30.0, child.pause_s * 2)
            child.restart_at = now + child.pause_s
            log.warning(
                "worker %d (pid %d) exited with %s; starting it again", number, child.process.pid, code
            )
            child.process = None
        if now < child.restart_at or self._stopping.is_set():
            return
        child.process = subprocess.Popen(list(self.command), env=dict(self.env), start_new_session=True)
        child.started = now
        log.info("started worker %d (pid %d)", number, child.process.pid)


def api_answers(url: str) -> Callable[[], bool]:
    """A readiness check: ``GET <url>/healthz`` answers 200."""
    import httpx

    def check() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with `overrides` (settings given on the command line)."""
    return {**os.environ, **overrides}
