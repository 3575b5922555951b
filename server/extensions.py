"""Shared extension objects: the database, migrations, the blob store, sign-in (Flask-Login),
CSRF protection of every form (Flask-WTF) and translations (Flask-Babel).

SQLite's tuning lives in storage/sqlite.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from server.config import REPO_ROOT, ForwardingSettings, blob_location, forwarding_settings
from server.storage import sqlite
from server.storage.blobs import BlobStore, DiskBlobStore
from server.storage.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(REPO_ROOT / "migrations"), render_as_batch=True)

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

BLOBS_KEY = "rasoat.blobs"
FORWARDING_KEY = "rasoat.forwarding"


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            sqlite.configure(engine)
    app.extensions[BLOBS_KEY] = _blob_store_for(app.config)
    login_manager.init_app(app)
    csrf.init_app(app)


def _blob_store_for(config: Mapping[str, Any]) -> BlobStore:
    """The disk store under RASOAT_DATA_DIR, or the S3 store RASOAT_BLOB_URL names."""
    data_dir = Path(config["RASOAT_DATA_DIR"])
    location = blob_location(str(config["RASOAT_BLOB_URL"]))
    if location is None:
        return DiskBlobStore(data_dir / "blobs")
    # boto3 is imported only by servers that use it (over half a second of every start else).
    from server.storage.s3_blobs import S3BlobStore, S3Settings

    bucket, prefix = location
    settings = S3Settings(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=str(config["RASOAT_S3_ENDPOINT"]) or None,
        multipart_bytes=int(config["RASOAT_S3_MULTIPART_BYTES"]),
    )
    # Spooled uploads wait here until their hash, the object's name, is known: scratch only.
    return S3BlobStore(settings, data_dir / "spool")


def blob_store(app: Flask) -> BlobStore:
    store: BlobStore = app.extensions[BLOBS_KEY]
    return store


def upstream(app: Flask) -> ForwardingSettings | None:
    """The app's upstream, read from its config once: at the first submission or when a worker
    starts its forwarder, so after `rasoat serve` has applied its --upstream options."""
    if FORWARDING_KEY not in app.extensions:
        app.extensions[FORWARDING_KEY] = forwarding_settings(app.config)
    settings: ForwardingSettings | None = app.extensions[FORWARDING_KEY]
    return settings


def db_session() -> Session:
    """The database session of the current app context (what `db.session` stands for), typed
    as services and storage take it."""
    return db.session()
