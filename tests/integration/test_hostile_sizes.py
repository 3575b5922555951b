"""Big and deep hostile input (issue 8 point 4): a clear answer, never a hang, and the server's
peak memory stays bounded. The HTTP cases run against a server with the production size limits
(100 MB per request, 10 MB of instance XML) and one worker, whose high-water mark (VmHWM) is
read from /proc; the XLSForm cases run `rasoat forms publish` and read its peak from wait4."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.config import MAX_INSTANCE_XML_BYTES, MAX_REQUEST_BYTES
from server.errors import InvalidXLSForm
from server.extensions import blob_store
from server.storage.models import Blob, Form, SubmissionAttachment, SubmissionVersion
from tests.conftest import server_env
from tests.support.collect import CollectClient, instance_xml, response_message, with_device_id
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer, start_server
from tests.support.memory import MB, PeakMemory
from tests.support.xlsforms import photo_form

pytestmark = pytest.mark.e2e

# A bound, not a measurement: a request must never cost the server more than this.
MEMORY_BOUND = 300 * MB


@pytest.fixture(scope="module")
def roomy_server(
    database_url: str,
    data_dir: Path,
    empty_forms_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    env = {
        **server_env(database_url, data_dir, empty_forms_dir),
        "RASOAT_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
        "RASOAT_ADVERTISED_SUBMISSION_BYTES": "10000000",
    }
    folder = tmp_path_factory.mktemp("roomy")
    server = start_server(env, folder, "--workers", "1", "--threads", "2")
    yield server
    server.stop()


@pytest.fixture
def phone(app: Flask, session: Session, roomy_server: LiveServer) -> CollectClient:
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session)
    return CollectClient(f"{roomy_server.base_url}/v1/key/{new.token}/projects/1")


def versions(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(SubmissionVersion)) or 0


def within(growth: int, bound: int = MEMORY_BOUND) -> None:
    print(f"peak memory growth: {growth / MB:.0f} MB (bound {bound / MB:.0f} MB)")  # -rP shows it
    assert growth < bound


def answered(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text[:500]
    return response_message(response)


def test_a_50_mb_instance_is_refused_with_413_naming_the_instance_and_memory_stays_bounded(
    phone: CollectClient, roomy_server: LiveServer, session: Session
) -> None:
    xml = instance_xml("hh", fields={"household_code": "A" * 50 * MB})
    watch = PeakMemory(roomy_server)

    message = answered(phone.post(xml), 413)

    assert "instance XML" in message and str(MAX_INSTANCE_XML_BYTES) in message
    within(watch.growth())
    assert versions(session) == 0


def test_an_instance_of_tiny_elements_just_under_the_limit_is_stored_within_the_bound(
    phone: CollectClient, roomy_server: LiveServer, session: Session
) -> None:
    filler = "<q/>" * ((MAX_INSTANCE_XML_BYTES - 1000) // 4)
    xml = instance_xml("hh", fields={"household_code": "A", "many": filler})
    watch = PeakMemory(roomy_server)

    answered(phone.post(xml), 201)

    within(watch.growth())
    session.rollback()
    assert session.scalars(select(SubmissionVersion.xml)).one() == xml


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_deeply_nested_answers_are_stored_as_sent_without_crashing_the_worker(
    phone: CollectClient, roomy_server: LiveServer, session: Session, depth: int
) -> None:
    nested = "<n>" * depth + "x" + "</n>" * depth
    xml = instance_xml("hh", fields={"household_code": "A", "deep": nested})
    watch = PeakMemory(roomy_server)

    answered(phone.post(xml), 201)

    within(watch.growth())
    assert phone.head_submission().status_code == 204  # the worker is still there
    session.rollback()
    assert session.scalars(select(SubmissionVersion.xml)).one() == xml


def test_a_full_billion_laughs_is_refused_and_never_expanded(
    phone: CollectClient, roomy_server: LiveServer, session: Session
) -> None:
    entities = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE data [{entities}]><data id="hh"><q>&l9;</q></data>'
    watch = PeakMemory(roomy_server)

    assert "DTD" in answered(phone.post(xml.encode()), 400)
    within(watch.growth(), 50 * MB)
    assert versions(session) == 0


def test_an_attachment_over_the_limit_sent_without_a_length_gets_413_and_leaves_nothing(
    phone: CollectClient, roomy_server: LiveServer, session: Session, data_dir: Path
) -> None:
    boundary = "rasoat"
    head = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            'filename="x.xml"\r\n\r\n'
        ).encode()
        + instance_xml("hh", fields={"photo": "big.jpg"})
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="big.jpg"; '
            'filename="big.jpg"\r\n\r\n'
        ).encode()
    )
    block = os.urandom(MB)

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(MAX_REQUEST_BYTES // MB + 20):
            yield block

    watch = PeakMemory(roomy_server)
    response = requests.post(
        with_device_id(f"{phone.server_url}/submission"),
        data=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=120,
    )

    assert str(MAX_REQUEST_BYTES) in answered(response, 413)
    within(watch.growth())
    assert versions(session) == 0
    assert not [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]


def test_a_90_mb_photo_is_stored_intact_without_being_held_in_memory(
    app: Flask, phone: CollectClient, roomy_server: LiveServer, session: Session
) -> None:
    photo = os.urandom(90 * MB)
    xml = instance_xml("hh", fields={"photo": "big.jpg"})
    watch = PeakMemory(roomy_server)

    answered(phone.post(xml, {"big.jpg": photo}), 201)

    within(watch.growth(), 100 * MB)
    session.rollback()
    sha256 = session.scalars(select(SubmissionAttachment.blob_sha256)).one()
    assert sha256 == hashlib.sha256(photo).hexdigest()
    assert blob_store(app).read(sha256 or "") == photo


def xlsx_with(base: bytes, member: str, filler: bytes, megabytes: int) -> bytes:
    """`base` with `megabytes` of `filler` written into the first text of one member, streamed
    into the archive (it compresses to almost nothing)."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != member:
                target.writestr(info.filename, data)
                continue
            before, after = data.split(b"<t>", 1)
            with target.open(info.filename, "w", force_zip64=True) as grown:
                grown.write(before + b"<t>")
                for _ in range(megabytes):
                    grown.write(filler * MB)
                grown.write(after)
    return out.getvalue()


def publish_with_cli(
    database_url: str, data_dir: Path, folder: Path, data: bytes
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run `rasoat forms publish` on the bytes; return the result and its peak RSS in bytes."""
    path = folder / "form.xlsx"
    path.write_bytes(data)
    env = {**os.environ, **server_env(database_url, data_dir, folder)}
    command = [sys.executable, "-m", "server", "forms", "publish", str(path), "--no-validate"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    completed = subprocess.CompletedProcess(command, process.returncode, output)
    return completed, usage.ru_maxrss * 1024


def test_xlsform_zip_bombs_are_refused_by_forms_publish_with_bounded_memory(
    session: Session, database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    base = photo_form("hh")
    normal, baseline = publish_with_cli(database_url, data_dir, tmp_path, base)
    assert normal.returncode == 0, normal.stdout
    sheet = "xl/worksheets/sheet1.xml"

    bomb, bomb_peak = publish_with_cli(
        database_url, data_dir, tmp_path, xlsx_with(base, sheet, b" ", 400)
    )
    just_under, under_peak = publish_with_cli(
        database_url, data_dir, tmp_path, xlsx_with(base, sheet, b"a", 95)
    )

    assert bomb.returncode != 0
    assert "unpack" in bomb.stdout
    within(bomb_peak - baseline)
    assert just_under.returncode != 0, "a 95 MB cell is not a form"
    within(under_peak - baseline)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Form)) == 1


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "form.xlsx"),
        (b"<html><body><table><tr><td>type</td></tr></table></body></html>", "form.xls"),
        (b"", "form.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "form.xls"),
        (b"type,name,label\ntext,q,Q\n", "form.xlsx"),
        ("zip-without-workbook", "form.xlsx"),
        ("xxe-in-sheet", "form.xlsx"),
    ],
    ids=["pdf", "html-as-xls", "empty", "ole-junk", "csv-as-xlsx", "zip-no-workbook", "xxe"],
)
def test_an_xlsform_that_is_not_a_spreadsheet_is_refused_in_plain_words(
    app: Flask, session: Session, data: bytes | str, filename: str
) -> None:
    if data == "zip-without-workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "xin chào")
        data = out.getvalue()
    elif data == "xxe-in-sheet":
        base = zipfile.ZipFile(io.BytesIO(photo_form("hh")))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for info in base.infolist():
                member = base.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    dtd = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    member = dtd + member.replace(b"<t>type</t>", b"<t>&x;</t>")
                archive.writestr(info.filename, member)
        data = out.getvalue()
    assert isinstance(data, bytes)

    with pytest.raises(InvalidXLSForm) as refused:
        publish_form(app, session, data, filename=filename)

    assert "root:" not in str(refused.value.message)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Form)) == 0
    assert session.scalar(select(func.count()).select_from(Blob)) == 0
