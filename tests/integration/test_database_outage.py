"""A database that stops answering: phones get 503 with an OpenRosa message (they keep the
record and retry), the JSON API and the pages 503 with Retry-After and a message saying to try
again, nothing is half-written, and the server recovers without a restart."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from server import create_app
from server.domain.vocabulary import Role
from server.extensions import db
from server.services import app_users, forms
from server.services.users import create_user
from server.storage.models import SubmissionVersion
from server.storage.transaction import writing
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


# --- the JSON API and the pages (issue 13 point 6) ---------------------------------------------

ADMIN, PASSWORD = "admin@tinh.vn", "mật-khẩu-thật-dài"


@contextmanager
def database_away(db_kind: str, url: str) -> Iterator[None]:
    """PostgreSQL refuses every connection and ends the open ones; SQLite's files refuse every
    write, as when a failing disk is remounted read-only (`chattr +i` holds for root too)."""
    if db_kind == "postgresql":
        database = url.rsplit("/", 1)[1]
        _shut_out(POSTGRES_ADMIN_URL, database)
        try:
            yield
        finally:
            _shut_out(POSTGRES_ADMIN_URL, database, open_again=True)
        return
    path = Path(url.removeprefix("sqlite:///"))
    files = [str(path), f"{path}-wal"]  # not -shm: SQLite maps it, and a mapped file may not change
    assert Path(files[1]).exists(), "the server keeps its connections, so the WAL is open"
    if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not allowed here (a container without CAP_LINUX_IMMUTABLE)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)


@pytest.fixture
def staff_server(db_kind: str, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    with scratch_database(db_kind, tmp_path) as url:
        server = start_server(server_env(url, tmp_path / "data", tmp_path), tmp_path)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RASOAT_DATA_DIR": str(tmp_path / "d")})
        with app.app_context():
            with writing(db.session):
                create_user(
                    db.session,
                    email=ADMIN,
                    display_name="Quản trị",
                    password=PASSWORD,
                    role=Role.ADMINISTRATOR,
                )
            db.engine.dispose()
        try:
            yield server, url
        finally:
            server.stop()


def sign_in_to_the_api(base: str) -> requests.Response:
    body = {"email": ADMIN, "password": PASSWORD}
    return requests.post(f"{base}/v1/sessions", json=body, timeout=60)


def sign_in_to_the_pages(pages: requests.Session, base: str) -> requests.Response:
    form = pages.get(f"{base}/login", timeout=60).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert match, form[:500]
    data = {"email": ADMIN, "password": PASSWORD, "csrf_token": match.group(1)}
    return pages.post(f"{base}/login", data=data, allow_redirects=False, timeout=60)


def test_the_api_and_the_pages_answer_503_with_retry_after_while_the_database_is_away(
    db_kind: str, staff_server: tuple[LiveServer, str]
) -> None:
    server, url = staff_server
    assert sign_in_to_the_api(server.base_url).status_code == 200

    with database_away(db_kind, url):
        api = sign_in_to_the_api(server.base_url)
        page = sign_in_to_the_pages(requests.Session(), server.base_url)

    assert (api.status_code, api.headers["Content-Type"]) == (503, "application/json")
    assert api.json()["code"] == 503.0
    assert api.json()["details"] == {"error": "database_unavailable"}
    assert api.json()["message"].startswith("Máy chủ tạm thời không truy cập được cơ sở dữ liệu")
    assert "Try again in a few minutes" in api.json()["message"]
    assert int(api.headers["Retry-After"]) > 0

    assert (page.status_code, page.headers["Content-Type"][:9]) == (503, "text/html")
    text_of_page = page.text
    vietnamese = text_of_page.find("Máy chủ tạm thời không truy cập được cơ sở dữ liệu")
    assert 0 <= vietnamese < text_of_page.find("The server cannot reach its database")
    assert int(page.headers["Retry-After"]) > 0

    # Back without a restart. Each worker's pool learns of its broken connections on their first
    # use (no pre-ping, config.py), so a client that retries on 503 gets in within a few tries.
    assert retried(lambda: sign_in_to_the_api(server.base_url)).status_code == 200
    assert (
        retried(lambda: sign_in_to_the_pages(requests.Session(), server.base_url)).status_code
        == 302
    )


def retried(send: Callable[[], requests.Response], tries: int = 4) -> requests.Response:
    """What a client honouring 503 does: the same request again (Retry-After shortened)."""
    for _ in range(tries - 1):
        response = send()
        if response.status_code != 503:
            return response
    return send()
