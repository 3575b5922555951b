"""SQLite as the embedded default, tuned for a server that must not lose acknowledged work.

WAL lets readers go on while one writer writes; `synchronous=FULL` makes a commit durable
before the phone hears 201; foreign keys are on. Write transactions (storage.common.begin_write)
start with BEGIN IMMEDIATE so they queue for the write lock instead of failing half-way.

SQLite's own wait for that lock (busy_timeout) polls with growing sleeps of up to 100 ms, which
made a burst of 16 phones wait seconds for a lock that was mostly free. Writers therefore first
take an exclusive flock on a file next to the database: the kernel wakes the next writer the
moment the previous one returns its connection, across threads and gunicorn workers alike.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from server.storage.common import SQLITE_BEGIN_OPTION

_LOCK_FD = "rasoat_write_lock_fd"


def configure(engine: Engine) -> None:
    lock_path = f"{engine.url.database}.write-lock" if engine.url.database else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Transactions are started by the "begin" listener below, not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        if lock_path:
            record.info[_LOCK_FD] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, record: Any) -> None:
        fd = record.info.pop(_LOCK_FD, None)
        if fd is not None:
            os.close(fd)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        fd = connection.connection._connection_record.info.get(_LOCK_FD)
        if mode == "IMMEDIATE" and fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        connection.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # The transaction has ended (committed or rolled back) when a connection comes back.
        fd = record.info.get(_LOCK_FD)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)


def refresh_statistics(session: Any) -> None:
    """ANALYZE, so the planner knows the table sizes: without statistics SQLite read every
    review of two years to summarise one district (7 s instead of 0.1 s on a large registry)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE"))
        session.commit()
