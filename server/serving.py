"""Running the app under gunicorn (pre-fork workers, threads)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from server.extensions import blob_store, db_session, upstream
from server.services import forwarding


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


_FORWARDERS: list[tuple[threading.Event, threading.Thread]] = []
# How long a stopping worker waits for its forwarder to finish the record in flight and let the
# lease go (so the next holder need not wait for it to lapse).
_FORWARDER_STOP_SECONDS = 10.0


def start_forwarder(app: Flask) -> None:
    """In every worker, a thread that forwards to the upstream while it holds the forwarding
    lease in the database: one worker of all the nodes forwards at a time, and another takes
    over when that one is replaced or its node dies (services/forwarding.py)."""
    settings = upstream(app)
    if settings is None:
        return
    stop = threading.Event()

    def forward() -> None:
        with app.app_context():
            forwarding.Forwarder(db_session(), blob_store(app), settings, stop).run()

    thread = threading.Thread(target=forward, name="rasoat-forwarder", daemon=True)
    _FORWARDERS.append((stop, thread))
    thread.start()


def stop_forwarder() -> None:
    """On a worker's graceful exit: stop its forwarder and let the lease go."""
    for stop, thread in _FORWARDERS:
        stop.set()
        thread.join(_FORWARDER_STOP_SECONDS)


def run(app: Flask, *, host: str, port: int, workers: int, threads: int) -> None:
    GunicornServer(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # A slow phone on 2G may take minutes to upload a 10 MB part.
            "timeout": 300,
            "graceful_timeout": 30,
            "keepalive": 5,
            "accesslog": "-",
            # gunicorn's access and error lines are masked like every other log record
            # (server/log_masking.py, installed by create_app before the workers fork).
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            # One shared control socket per user would collide when several servers run (tests).
            "control_socket_disable": True,
            "post_worker_init": lambda _worker: start_forwarder(app),
            "worker_exit": lambda _server, _worker: stop_forwarder(),
        },
    ).run()
