"""Shared extension objects: the database, migrations, the blob store.

SQLite is tuned here for a server that must not lose acknowledged work: WAL so readers never
block the writer, full fsync on commit, foreign keys on, and a busy timeout so concurrent
gunicorn workers queue for the write lock instead of failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from server.config import REPO_ROOT
from server.storage.blobs import BlobStore
from server.storage.common import SQLITE_BEGIN_OPTION, begin_write

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(REPO_ROOT / "migrations"), render_as_batch=True)

BLOBS_KEY = "rasoat.blobs"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # See storage.common.begin_write: write transactions ask for IMMEDIATE, reads stay
        # DEFERRED so that they never hold the write lock.
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _begin_write_requests() -> None:
    """Every request that may write starts its transaction as a write transaction."""
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        begin_write(db.session)


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            _configure_sqlite(engine)
    app.extensions[BLOBS_KEY] = BlobStore(Path(app.config["RASOAT_DATA_DIR"]) / "blobs")
    app.before_request(_begin_write_requests)
    from server.storage import models  # noqa: F401  (register the tables with the metadata)


def blob_store(app: Flask) -> BlobStore:
    store: BlobStore = app.extensions[BLOBS_KEY]
    return store
