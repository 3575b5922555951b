"""Shared extension objects: the database, migrations, the blob store, sign-in (Flask-Login),
CSRF protection of every form (Flask-WTF) and translations (Flask-Babel).

SQLite's tuning lives in storage/sqlite.py.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from server.config import REPO_ROOT, ForwardingSettings, forwarding_settings
from server.storage import sqlite
from server.storage.blobs import BlobStore
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
    app.extensions[BLOBS_KEY] = BlobStore(Path(app.config["RASOAT_DATA_DIR"]) / "blobs")
    login_manager.init_app(app)
    csrf.init_app(app)


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
