"""A database that stops answering: phones get 503 with an OpenRosa message (they keep the
record and retry), nothing is half-written, and the server recovers without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from server import create_app
from server.extensions import db
from server.services import app_users, forms
from server.storage.models import SubmissionVersion
from tests.conftest import server_env
from tests.support.collect import CollectClient, instance_xml, response_message
from tests.support.database import POSTGRES_ADMIN_URL, scratch_database
from tests.support.live_server import LiveServer, start_server
from tests.support.xlsforms import photo_form

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_server(db_kind: str, tmp_path: Path) -> Iterator[tuple[LiveServer, str, str]]:
    if db_kind != "postgresql":
        pytest.skip("the outage is made by refusing connections to a PostgreSQL database")
    with scratch_database(db_kind, tmp_path) as url:
        server = start_server(server_env(url, tmp_path / "data", tmp_path), tmp_path)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RASOAT_DATA_DIR": str(tmp_path / "d")})
        with app.app_context():
            forms.publish_xlsform(
                db.session,
                app.extensions["rasoat.blobs"],
                project_id=1,
                data=photo_form("hh"),
                filename="hh.xlsx",
            )
            new = app_users.create_app_user(
                db.session, project_id=1, display_name="p", realm="rasoat"
            )
            db.session.commit()
            db.engine.dispose()
        try:
            yield server, url, f"{server.base_url}/v1/key/{new.token}/projects/1"
        finally:
            server.stop()


def _shut_out(admin_url: str, database: str, *, open_again: bool = False) -> None:
    """Refuse every new connection (superusers too) and end the open ones."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        allow = "true" if open_again else "false"
        conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {allow}'))
        if not open_again:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                {"d": database},
            )
    engine.dispose()


def test_submissions_get_503_while_the_database_is_away_and_succeed_once_it_is_back(
    own_server: tuple[LiveServer, str, str],
) -> None:
    _server, url, phone_url = own_server
    database = url.rsplit("/", 1)[1]
    phone = CollectClient(phone_url)
    assert phone.post(instance_xml("hh")).status_code == 201

    _shut_out(POSTGRES_ADMIN_URL, database)
    try:
        during = [
            phone.post(instance_xml("hh", instance_id=f"uuid:{uuid.uuid4()}")) for _ in range(3)
        ]
    finally:
        _shut_out(POSTGRES_ADMIN_URL, database, open_again=True)

    assert {r.status_code for r in during} == {503}
    assert "gửi lại sau" in response_message(during[-1])
    after = phone.post(instance_xml("hh", instance_id="uuid:after-outage"))
    assert after.status_code == 201
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text(f"SELECT instance_id FROM {SubmissionVersion.__tablename__}"))
        assert len(list(stored)) == 2
    engine.dispose()
