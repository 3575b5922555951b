"""What a server start does to keep the database and the file store in shape: fresh planner
statistics, and no stored file left that no record refers to."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.storage import sqlite
from server.storage.blobs import BlobStore
from server.storage.files import referenced_hashes


def refresh_statistics(session: Session) -> None:
    """SQLite's ANALYZE (nothing on PostgreSQL, which keeps its own statistics)."""
    sqlite.refresh_statistics(session)


def sweep_unreferenced_files(session: Session, store: BlobStore) -> int:
    """Delete the files of requests that died before their rows were committed. On one machine
    no request is in flight at a start, so none is spared for its age; a store shared by several
    nodes spares those younger than its guard, which another node may be about to reference.
    Returns how many went."""
    return store.sweep(referenced_hashes(session), older_than_seconds=store.sweep_guard_seconds)
