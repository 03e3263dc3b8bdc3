"""CPU time used by a process and everything it started, read from Linux's ``/proc``."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PROC = Path("/proc")


def _stat(pid: str) -> tuple[int, float] | None:
    """The parent pid and the CPU seconds (user + system) of process `pid`, None if it is gone."""
    try:
        text = (_PROC / pid / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by process `root` and its living descendants (0.0 where /proc is missing)."""
    if not _PROC.is_dir():
        return 0.0
    stats = {int(pid): stat for pid in os.listdir(_PROC) if pid.isdigit() and (stat := _stat(pid))}
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, queue = 0.0, [root]
    while queue:
        pid = queue.pop()
        if pid in stats:
            total += stats[pid][1]
        queue.extend(children.get(pid, []))
    return total
