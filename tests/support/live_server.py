"""A real server process (`rasoat serve`, gunicorn) on a free port, for tests over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 20 s: a process the tests started, by its own PID."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_server(
    env_overrides: dict[str, str],
    folder: Path,
    *args: str,
    port: int | None = None,
    # A first start migrates an empty database: over a minute on a loaded two-core machine.
    timeout: float = 180,
) -> LiveServer:
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RASOAT_BASE_URL": base_url, **env_overrides}
    log_path = folder / f"server-{port}.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "server", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(base_url, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(f"{base_url}/v1/health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not answer within {timeout}s:\n{server.log()}")
