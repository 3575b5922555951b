"""Files in an S3 object store (issue 19), against a real one: SeaweedFS on loopback
(tests/support/object_store.py). The store class the server uses is driven directly for what
the store itself must do (create-only writes, Range, multipart, aborts, the sweep), and a real
`rasoat serve` keeping its files there for what a phone sees (a photo kept byte for byte and
served back; the store away during an upload: 503, nothing acknowledged, the retry stored)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.errors import FileStoreUnavailable
from server.services import upkeep
from server.services.users import create_user
from server.storage.blobs import StoredFile
from server.storage.files import record_blob
from server.storage.models import SubmissionAttachment, SubmissionVersion
from server.storage.s3_blobs import MIN_PART_BYTES, S3BlobStore, S3Settings
from tests.conftest import server_env
from tests.support.collect import CollectClient, instance_xml, response_message
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer, free_port, start_server
from tests.support.object_store import BUCKET, SeaweedStore
from tests.support.xlsforms import photo_form

MIB = 1 << 20
ADMIN, PASSWORD = "quantri@tinh.vn", "mật-khẩu-thật-dài-cho-kho-tệp"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the store class against the real store ----------------------------------------------------


def test_a_file_is_stored_under_its_sha256_and_read_back_byte_for_byte(
    seaweedfs: SeaweedStore,
) -> None:
    store = seaweedfs.blob_store()
    photo = os.urandom(300_000)

    stored = store.put_bytes(photo)

    assert stored == StoredFile(sha(photo), hashlib.md5(photo).hexdigest(), len(photo))
    raw = seaweedfs.client().get_object(Bucket=BUCKET, Key=f"{store.settings.prefix}/{sha(photo)}")
    assert raw["Body"].read() == photo
    assert store.read(sha(photo)) == photo
    assert store.exists(sha(photo))
    assert not store.exists(sha(b"never stored"))
    assert list(store.all_hashes()) == [sha(photo)]


def test_a_second_create_only_put_is_refused_by_the_store_and_the_store_code_takes_it_as_there(
    seaweedfs: SeaweedStore,
) -> None:
    store = seaweedfs.blob_store()
    photo = b"the first bytes under this name"
    key = f"{store.settings.prefix}/{sha(photo)}"
    store.put_bytes(photo)

    with pytest.raises(ClientError) as refused:
        seaweedfs.client().put_object(Bucket=BUCKET, Key=key, Body=b"other bytes", IfNoneMatch="*")
    again = store.put_bytes(photo)

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert again.sha256 == sha(photo)
    assert seaweedfs.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == photo


def test_bytes_that_do_not_match_their_sha256_are_refused_by_the_store(
    seaweedfs: SeaweedStore,
) -> None:
    """The SHA-256 sent with each PUT lets the store itself check what it received."""
    store = seaweedfs.blob_store()
    claimed = base64.b64encode(hashlib.sha256(b"what was meant").digest()).decode()

    with pytest.raises(ClientError) as refused:
        seaweedfs.client().put_object(
            Bucket=BUCKET,
            Key=store.key(sha(b"what was meant")),
            Body=b"what arrived",
            ChecksumSHA256=claimed,
        )

    assert refused.value.response["Error"]["Code"] == "BadDigest"


def test_a_range_read_streams_only_the_bytes_asked_for(seaweedfs: SeaweedStore) -> None:
    store = seaweedfs.blob_store()
    data = os.urandom(200_000)
    store.put_bytes(data)

    opened = store.open(sha(data))
    with opened.file:
        opened.file.seek(150_000)
        middle = opened.file.read(1000)
        opened.file.seek(10)
        start = opened.file.read(5)

    assert opened.size == len(data)
    assert middle == data[150_000:151_000]
    assert start == data[10:15]


def test_a_big_file_goes_up_in_parts_and_comes_back_whole(seaweedfs: SeaweedStore) -> None:
    store = seaweedfs.blob_store(multipart_bytes=MIN_PART_BYTES, part_bytes=MIN_PART_BYTES)
    big = os.urandom(12 * MIB)

    store.put_stream(io.BytesIO(big))
    again = store.put_stream(io.BytesIO(big))  # the completion is create-only too

    etag = seaweedfs.client().head_object(Bucket=BUCKET, Key=store.key(sha(big)))["ETag"]
    assert etag.strip('"').endswith("-3")  # S3 names a multipart object's ETag by its parts
    assert again.sha256 == sha(big)
    assert store.read(sha(big)) == big
    uploads = seaweedfs.client().list_multipart_uploads(Bucket=BUCKET, Prefix=store.key(""))
    assert uploads.get("Uploads", []) == []


class BreaksAfterOnePart(io.BytesIO):
    """The spooled file failing half-way (a disk error while it is read back)."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= MIN_PART_BYTES:
            raise OSError("disk read error")
        return super().read(size)


def test_a_multipart_upload_that_fails_half_way_is_aborted_and_leaves_nothing(
    seaweedfs: SeaweedStore,
) -> None:
    store = seaweedfs.blob_store(multipart_bytes=MIN_PART_BYTES, part_bytes=MIN_PART_BYTES)
    big = os.urandom(11 * MIB)
    stored = StoredFile(sha(big), hashlib.md5(big).hexdigest(), len(big))

    with pytest.raises(OSError, match="disk read error"):
        store._put_in_parts(BreaksAfterOnePart(big), stored)

    client = seaweedfs.client()
    assert client.list_multipart_uploads(Bucket=BUCKET, Prefix=store.key("")).get("Uploads") in (
        None,
        [],
    )
    assert not store.exists(sha(big))


def test_the_sweep_deletes_only_unreferenced_files_older_than_its_guard_and_stale_uploads(
    app: Flask, session: Session, seaweedfs: SeaweedStore
) -> None:
    store = seaweedfs.blob_store()
    kept, orphan = b"a referenced photo", b"a photo whose request died"
    record_blob(session, store.put_bytes(kept))
    session.commit()
    store.put_bytes(orphan)
    crashed = seaweedfs.client().create_multipart_upload(Bucket=BUCKET, Key=store.key("x" * 64))

    assert upkeep.sweep_unreferenced_files(session, store) == 0  # both younger than the guard
    assert store.exists(sha(orphan))
    time.sleep(1.1)  # S3 keeps times to the second
    store.sweep_guard_seconds = 0.5
    assert upkeep.sweep_unreferenced_files(session, store) == 1

    assert list(store.all_hashes()) == [sha(kept)]
    uploads = seaweedfs.client().list_multipart_uploads(Bucket=BUCKET, Prefix=store.key(""))
    assert crashed["UploadId"] not in {u["UploadId"] for u in uploads.get("Uploads", [])}


def test_an_orphan_stored_again_by_a_new_request_is_refreshed_so_the_sweep_spares_it(
    seaweedfs: SeaweedStore,
) -> None:
    store = seaweedfs.blob_store()
    photo = b"sent once, its request died; sent again"
    store.put_bytes(photo)
    time.sleep(2.1)

    store.put_bytes(photo)  # "already there": its time is now again

    assert store.sweep([], older_than_seconds=1.5) == 0
    assert store.exists(sha(photo))


def test_a_store_that_does_not_answer_is_the_catalogue_s_503(tmp_path: Path) -> None:
    store = S3BlobStore(S3Settings(BUCKET, "away", "http://127.0.0.1:9"), tmp_path)  # no one

    with pytest.raises(FileStoreUnavailable) as away:
        store.put_bytes(b"x")

    assert away.value.status == 503
    assert not store.answers()


# --- a server keeping its files in the store ----------------------------------------------------


@pytest.fixture(scope="module")
def s3_server(
    database_url: str,
    seaweedfs: SeaweedStore,
    empty_forms_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, str]]:
    """`rasoat serve` with its files in the store under a prefix of its own, and an empty data
    folder of its own."""
    prefix = f"server-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("s3-server")
    env = {**server_env(database_url, folder / "data", empty_forms_dir), **seaweedfs.env(prefix)}
    server = start_server(env, folder, "--workers", "1", "--threads", "4")
    yield server, prefix
    server.stop()


@pytest.fixture
def phone(app: Flask, session: Session, s3_server: tuple[LiveServer, str]) -> CollectClient:
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session)
    return CollectClient(f"{s3_server[0].base_url}/v1/key/{new.token}/projects/1")


def _versions(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(SubmissionVersion)) or 0


def _admin(session: Session) -> dict[str, str]:
    session.commit()
    create_user(
        session, email=ADMIN, display_name="Quản trị", password=PASSWORD, role=Role.ADMINISTRATOR
    )
    session.commit()
    pair = base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_a_phone_s_photo_is_kept_in_the_store_byte_for_byte_and_served_back_with_ranges(
    phone: CollectClient,
    session: Session,
    seaweedfs: SeaweedStore,
    s3_server: tuple[LiveServer, str],
) -> None:
    server, prefix = s3_server
    photo = os.urandom(120_000)
    xml = instance_xml("hh", instance_id="uuid:anh-trong-kho", fields={"photo": "nha.jpg"})

    assert phone.post(xml, {"nha.jpg": photo}).status_code == 201

    session.rollback()
    stored = session.scalars(select(SubmissionAttachment.blob_sha256)).one()
    assert stored == sha(photo)
    raw = seaweedfs.client().get_object(Bucket=BUCKET, Key=f"{prefix}/{stored}")["Body"].read()
    assert sha(raw) == sha(photo)
    record = "projects/1/forms/hh/submissions/uuid:anh-trong-kho"
    url = f"{server.base_url}/v1/{record}/attachments/nha.jpg"
    headers = _admin(session)
    whole = requests.get(url, headers=headers, timeout=30)
    part = requests.get(url, headers={**headers, "Range": "bytes=100000-100999"}, timeout=30)
    assert (whole.status_code, sha(whole.content)) == (200, sha(photo))
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100000-100999/{len(photo)}"
    assert part.content == photo[100_000:101_000]
    assert not (Path(server.log_path).parent / "data" / "blobs").exists()


def test_with_the_store_away_the_phone_gets_503_nothing_is_acknowledged_and_the_retry_is_stored(
    phone: CollectClient,
    session: Session,
    seaweedfs: SeaweedStore,
    s3_server: tuple[LiveServer, str],
) -> None:
    photo = os.urandom(50_000)
    xml = instance_xml("hh", instance_id="uuid:kho-vang", fields={"photo": "nha.jpg"})

    seaweedfs.stop()
    try:
        during = phone.post(xml, {"nha.jpg": photo})
        assert _versions(session) == 0
    finally:
        seaweedfs.start()

    assert during.status_code == 503, during.text[:300]
    assert during.headers["Retry-After"] == "30"
    assert "gửi lại sau" in response_message(during)
    after = phone.post(xml, {"nha.jpg": photo})
    assert after.status_code == 201, after.text[:300]
    assert _versions(session) == 1
    key = f"{s3_server[1]}/{sha(photo)}"
    assert seaweedfs.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == photo


def test_the_server_is_ready_only_while_its_store_answers_and_stays_live_meanwhile(
    seaweedfs: SeaweedStore, s3_server: tuple[LiveServer, str]
) -> None:
    base = s3_server[0].base_url
    before = requests.get(f"{base}/v1/ready", timeout=30)

    seaweedfs.stop()
    try:
        during = requests.get(f"{base}/v1/ready", timeout=60)
        live = requests.get(f"{base}/v1/health", timeout=30)
    finally:
        seaweedfs.start()
    after = requests.get(f"{base}/v1/ready", timeout=30)

    assert (before.status_code, before.json()) == (
        200,
        {"status": "ok", "database": "ok", "file_store": "ok"},
    )
    assert (during.status_code, during.json()) == (
        503,
        {
            "status": "unavailable",
            "down": ["file_store"],
            "database": "ok",
            "file_store": "unreachable",
        },
    )
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert after.status_code == 200


# --- one secret for every node ------------------------------------------------------------------


def test_a_server_sharing_a_file_store_refuses_to_start_without_rasoat_secret_key(
    database_url: str, seaweedfs: SeaweedStore, tmp_path: Path
) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("RASOAT_SECRET_KEY", "RASOAT_DATA_DIR")
    }
    env.update(seaweedfs.env("refused"))
    env.update({"RASOAT_DATABASE_URL": database_url, "RASOAT_DATA_DIR": str(tmp_path / "data")})
    command = [sys.executable, "-m", "server", "serve", "--port", str(free_port())]

    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert refused.returncode == 1
    assert "RASOAT_SECRET_KEY must be set, the same on every node" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "data" / "secret_key").exists()  # no key of this node's own
