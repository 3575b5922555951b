"""Forwarding end to end: a commune server started with an upstream forwards every submission it
stores to a district server, both real `rasoat serve` processes on their own databases. The
district goes away for a while, the commune restarts meanwhile, and a record stored without
being queued (as before forwarding was switched on) is found by the scan of the forwarder that
takes over; afterwards the district holds each of the commune's submission versions exactly
once, byte for byte, edits included, and the queue in the commune's database says so."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT, normalise_database_url
from server.extensions import blob_store
from server.services.submissions import IncomingFile, IncomingSubmission, receive_submission
from server.storage import forwarding as queue
from server.storage.app_users import find_by_login
from server.storage.common import begin_write
from server.storage.models import SubmissionAttachment, SubmissionVersion
from tests.conftest import server_env
from tests.e2e.test_sync import wait_for
from tests.support.collect import CollectClient, instance_xml
from tests.support.database import scratch_database
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer, free_port, start_server
from tests.support.xlsforms import photo_form

pytestmark = pytest.mark.e2e
FAST = {  # seconds: poll the queue often, never back off long
    "RASOAT_UPSTREAM_POLL_SECONDS": "0.2",
    "RASOAT_UPSTREAM_MAX_DELAY": "0.5",
}
Snapshot = dict[str, tuple[str, str | None, bool, dict[str, str]]]


def create_phone(env: dict[str, str]) -> str:
    """`rasoat app-user create` on a server's database; returns the token of its URL."""
    done = subprocess.run(
        [sys.executable, "-m", "server", "app-user", "create", "--name", "Xã Cam Lộ"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=True,
    )
    match = re.search(r"/v1/key/([^/\s]+)/projects/1", done.stdout)
    assert match, done.stdout
    return match.group(1)


def snapshot(session: Session) -> Snapshot:
    """instanceID → (XML hash, deprecatedID, current?, {file name: hash}) of every complete
    version; fails on a version stored twice."""
    session.rollback()
    found: Snapshot = {}
    for version in session.scalars(select(SubmissionVersion).where(SubmissionVersion.complete)):
        files = session.scalars(
            select(SubmissionAttachment).where(
                SubmissionAttachment.submission_version_id == version.id,
                SubmissionAttachment.blob_sha256.is_not(None),
            )
        )
        assert version.instance_id not in found, f"{version.instance_id} stored twice"
        found[version.instance_id] = (
            version.xml_sha256,
            version.deprecated_id,
            version.current,
            {f.name: f.blob_sha256 or "" for f in files},
        )
    return found


class Commune:
    """The commune server: its phone, its port kept across restarts, its database's queue."""

    def __init__(self, env: dict[str, str], folder: Path, token: str, session: Session) -> None:
        self.env, self.folder, self.port = env, folder, free_port()
        self.session = session
        self.server: LiveServer | None = None
        self.token = token

    def start(self) -> None:
        self.server = start_server(self.env, self.folder, "--workers", "2", port=self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def send(self, count: int, *, photos: int = 0, prefix: str) -> list[tuple[str, bytes]]:
        """`count` new records from the phone, each with its photos (split like Collect when
        they exceed the advertised size); returns (instanceID, XML) of each."""
        assert self.server is not None
        phone = CollectClient(f"{self.server.base_url}/v1/key/{self.token}/projects/1")
        sent = []
        for n in range(count):
            files = {f"{prefix}-{n}-{p}.jpg": os.urandom(90_000) for p in range(photos)}
            fields = {"household_code": f"{prefix}-{n:03d}"}
            fields.update(zip(("photo", "photo2"), files, strict=False))
            xml = instance_xml("hh", fields=fields)
            assert phone.submit(xml, files).last.status_code == 201
            sent.append((xml.split(b"<instanceID>")[1].split(b"<")[0].decode(), xml))
        return sent

    def edit(self, instance_id: str, code: str) -> str:
        assert self.server is not None
        phone = CollectClient(f"{self.server.base_url}/v1/key/{self.token}/projects/1")
        xml = instance_xml("hh", deprecated_id=instance_id, fields={"household_code": code})
        assert phone.submit(xml).last.status_code == 201
        return xml.split(b"<instanceID>")[1].split(b"<")[0].decode()

    def counts(self) -> dict[str, int]:
        self.session.rollback()
        found = queue.queue_counts(self.session)
        return {state: found[state] for state in (queue.QUEUED, queue.SENT, queue.REFUSED)}

    def queue(self) -> list[queue.QueueEntry]:
        self.session.rollback()
        return queue.queue_entries(self.session)


@pytest.fixture
def district(db_kind: str, tmp_path: Path) -> Iterator[tuple[dict[str, str], Session]]:
    """The district server's environment (own database, data and forms folders) and a session
    on its database."""
    forms = tmp_path / "district-forms"
    forms.mkdir()
    (forms / "hh.xlsx").write_bytes(photo_form("hh"))
    (tmp_path / "district-db").mkdir()
    with scratch_database(db_kind, tmp_path / "district-db") as url:
        env = server_env(url, tmp_path / "district-data", forms)
        engine = create_engine(normalise_database_url(url))
        with Session(engine) as session:
            yield env, session
        engine.dispose()


def test_a_commune_server_forwards_every_submission_once_byte_identical_through_outages(
    app: Flask,
    session: Session,
    database_url: str,
    data_dir: Path,
    empty_forms_dir: Path,
    district: tuple[dict[str, str], Session],
    tmp_path: Path,
) -> None:
    district_env, district_db = district
    district_token = create_phone(district_env)
    district_port = free_port()
    upstream = start_server(district_env, tmp_path, "--workers", "2", port=district_port)
    publish_form(app, session, photo_form("hh"))
    phone = make_app_user(session)
    commune_env = server_env(database_url, data_dir, empty_forms_dir) | FAST
    commune_env |= {
        "RASOAT_UPSTREAM_URL": upstream.base_url,
        "RASOAT_UPSTREAM_TOKEN": district_token,
    }
    commune = Commune(commune_env, tmp_path, phone.token, session)
    try:
        commune.start()
        first = commune.send(4, photos=2, prefix="a")
        first += commune.send(2, prefix="b")
        wait_for(lambda: commune.counts()[queue.SENT] == 6, "first records forwarded")
        assert len(snapshot(district_db)) == 6

        upstream.stop()  # the line to the district goes down
        commune.send(3, photos=1, prefix="c")
        commune.edit(first[0][0], "a-000-sửa")  # an edit of a forwarded record
        [(new_id, _)] = commune.send(1, prefix="d")
        commune.edit(new_id, "d-000-sửa")  # an edit of a record still queued
        wait_for(
            lambda: all(i.attempts >= 1 for i in commune.queue()[6:-1]),
            "failed attempts while the district is down",
        )
        assert commune.counts()[queue.QUEUED] == 6
        blocked = commune.queue()[-1]
        assert blocked.attempts == 0, "an edit waits for the record it replaces"

        commune.stop()  # the commune restarts too; meanwhile a record is stored without being
        # queued (as one stored before forwarding was switched on)
        xml = instance_xml("hh", fields={"household_code": "e-000", "photo": "e.jpg"})
        photo = IncomingFile("e.jpg", io.BytesIO(os.urandom(5000)))
        session.commit()
        begin_write(session)
        submitter = find_by_login(session, phone.login)
        assert submitter is not None
        receive_submission(
            session, blob_store(app), submitter, IncomingSubmission(xml=xml, files=[photo])
        )
        session.commit()
        commune.start()
        commune.send(2, prefix="f")

        upstream = start_server(district_env, tmp_path, "--workers", "2", port=district_port)
        wait_for(lambda: commune.counts()[queue.SENT] == 15, "all forwarded", timeout=60)
    finally:
        commune.stop()
        upstream.stop()

    assert commune.counts() == {queue.QUEUED: 0, queue.SENT: 15, queue.REFUSED: 0}
    here, there = snapshot(session), snapshot(district_db)
    assert len(here) == 15
    assert there == here, "the district holds every version once, byte for byte"
    edits = [v for v in there.values() if v[1] is not None]
    assert len(edits) == 2 and all(current for _, _, current, _ in edits)
    assert sum(len(files) for *_, files in there.values()) == 4 * 2 + 3 * 1 + 1
    status = subprocess.run(
        [sys.executable, "-m", "server", "upstream", "status"],
        env={**os.environ, **commune_env},
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=True,
    )
    assert "đang chờ gửi / queued: 0   đã gửi / sent: 15   bị từ chối / refused: 0" in status.stdout
