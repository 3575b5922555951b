"""Fixtures shared by every test level. `--db sqlite|postgresql` (or RASOAT_TEST_DB) picks the
database; the same test files run on both."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.orm import Session

from server import create_app
from server.extensions import db
from tests.support.database import scratch_database
from tests.support.live_server import LiveServer, start_server
from tests.support.object_store import SeaweedStore

TEST_SECRET = "test-secret-key-not-for-production"
# Small on purpose: a test can split an upload in three, or exceed the body limit, cheaply.
ADVERTISED_BYTES = 150_000
MAX_REQUEST_BYTES = 3_000_000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("RASOAT_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database for integration tests",
    )


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(db_kind, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def empty_forms_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forms")


def server_env(database_url: str, data_dir: Path, forms_dir: Path) -> dict[str, str]:
    return {
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_FORMS_DIR": str(forms_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
        "RASOAT_ADVERTISED_SUBMISSION_BYTES": str(ADVERTISED_BYTES),
        "RASOAT_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
    }


@pytest.fixture(scope="session")
def app(database_url: str, data_dir: Path, empty_forms_dir: Path) -> Iterator[Flask]:
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RASOAT_DATA_DIR": str(data_dir),
            "RASOAT_FORMS_DIR": str(empty_forms_dir),
            "SECRET_KEY": TEST_SECRET,
            "RASOAT_ADVERTISED_SUBMISSION_BYTES": ADVERTISED_BYTES,
            "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
            "TESTING": True,
        }
    )
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        for engine in db.engines.values():
            engine.dispose()


def _empty_all_tables(session: Session) -> None:
    session.execute(text("UPDATE form SET published_version_id = NULL"))
    for table in reversed(db.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


@pytest.fixture
def session(app: Flask, data_dir: Path) -> Iterator[Session]:
    """A database session on a clean database (and an empty file store) for one test."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        _empty_all_tables(db.session)
        db.session.remove()
    shutil.rmtree(data_dir / "blobs", ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(
    app: Flask,
    database_url: str,
    data_dir: Path,
    empty_forms_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """`rasoat serve` in its own process, on the test database, for the whole run."""
    server = start_server(
        server_env(database_url, data_dir, empty_forms_dir),
        tmp_path_factory.mktemp("server"),
        "--workers",
        "2",
        "--threads",
        "4",
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedStore]:
    """A real S3 store (SeaweedFS) on loopback for the whole run; the process's own boto3
    clients (the server's S3 store class, used in-process) find its credentials in the
    environment, as a deployment's would."""
    store = SeaweedStore(tmp_path_factory.mktemp("seaweedfs"))
    credentials = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
    saved = {name: os.environ.get(name) for name in credentials}
    store.start()
    for name in credentials:
        os.environ[name] = store.env("")[name]
    yield store
    store.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
