"""Peak memory of a live server's worker processes, read from /proc (Linux).

Writing 5 to /proc/PID/clear_refs resets the process's high-water mark (VmHWM) to its current
resident size, so the peak a single request causes can be measured on a server that has been
running for a while.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import LiveServer

MB = 1024 * 1024


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def worker_pids(server: LiveServer) -> list[int]:
    """The gunicorn workers: children of the master process the test started."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


class PeakMemory:
    """Resets every worker's high-water mark; `growth()` is the largest rise above the
    resident size each worker had at the reset, in bytes."""

    def __init__(self, server: LiveServer) -> None:
        self.pids = worker_pids(server)
        self.baseline: dict[int, int] = {}
        for pid in self.pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            self.baseline[pid] = _status_kb(pid, "VmRSS")

    def growth(self) -> int:
        return max(_status_kb(pid, "VmHWM") - self.baseline[pid] for pid in self.pids) * 1024
