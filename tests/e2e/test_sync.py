"""`rasoat sync` end to end: real server processes over HTTP, the push and pull commands in
their own processes, and faults in between (server down, uploads cut, answers lost, 503s,
SIGKILL). Afterwards every submission is stored exactly once upstream, byte for byte."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.extensions import blob_store
from server.services.submissions import IncomingSubmission, receive_submission
from server.services.users import create_user
from server.storage.app_users import find_by_login
from server.storage.models import SubmissionAttachment, SubmissionVersion
from sync import ItemState, Outbox
from tests.conftest import server_env
from tests.support.collect import CollectClient, instance_xml
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.flaky_proxy import FlakyProxy
from tests.support.live_server import LiveServer, free_port, start_server
from tests.support.surveys import POOR, survey
from tests.support.xlsforms import photo_form

pytestmark = pytest.mark.e2e
PASSWORD = "mật-khẩu-dài-đủ"
Expected = dict[str, tuple[bytes, dict[str, bytes]]]  # instanceID → (XML, attachments)


# --- helpers ---------------------------------------------------------------------------------


def sync_command(*args: str, outbox: Path | None) -> list[str]:
    where = ["--outbox", str(outbox)] if outbox else []
    return [sys.executable, "-m", "sync", *args[:1], *where, *args[1:]]


def run_sync(
    *args: str, outbox: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sync_command(*args, outbox=outbox),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        check=False,
    )


def start_sync(*args: str, outbox: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            sync_command(*args, outbox=outbox), stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def outbox_items(path: Path) -> list:  # type: ignore[type-arg]
    if not path.exists():
        return []
    with Outbox(path) as outbox:
        return outbox.items()


def collect_folder(
    root: Path, count: int, *, photos: int = 0, photo_size: int = 100_000, prefix: str = "hh"
) -> Expected:
    """An ODK Collect instances/ folder: <name>/<name>.xml plus photo files."""
    expected: Expected = {}
    for n in range(count):
        name = f"{prefix}_2026-11-26_10-{n // 60:02d}-{n % 60:02d}"
        files = {f"{name}-{p}.jpg": os.urandom(photo_size) for p in range(photos)}
        fields = {"household_code": f"CL-{n:04d}"}
        fields.update(zip(("photo", "photo2"), files, strict=False))
        xml = instance_xml("hh", fields=fields)
        folder = root / name
        folder.mkdir(parents=True)
        (folder / f"{name}.xml").write_bytes(xml)
        for file_name, data in files.items():
            (folder / file_name).write_bytes(data)
        instance_id = xml.split(b"<instanceID>")[1].split(b"<")[0].decode()
        expected[instance_id] = (xml, files)
    return expected


def stored_versions(session: Session) -> dict[str, list[SubmissionVersion]]:
    session.rollback()  # a fresh snapshot: the server wrote in another process
    found: dict[str, list[SubmissionVersion]] = {}
    for version in session.scalars(select(SubmissionVersion)):
        found.setdefault(version.instance_id, []).append(version)
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_stored_exactly_once(session: Session, expected: Expected) -> None:
    stored = stored_versions(session)
    for instance_id, (xml, files) in expected.items():
        versions = stored.get(instance_id, [])
        assert len(versions) == 1, f"{instance_id} stored {len(versions)} times"
        [version] = versions
        assert sha256(version.xml) == sha256(xml), f"{instance_id} not byte-identical"
        attachments = session.scalars(
            select(SubmissionAttachment).where(
                SubmissionAttachment.submission_version_id == version.id
            )
        )
        assert {a.name: a.blob_sha256 for a in attachments} == {
            name: sha256(data) for name, data in files.items()
        }
        assert version.complete


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def phone(app: Flask, session: Session) -> tuple[str, str]:
    """(token, login) of an app user allowed to send the photo form `hh`."""
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session)
    return new.token, new.login


@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[FlakyProxy]:
    port = int(live_server.base_url.rsplit(":", 1)[1])
    flaky = FlakyProxy(port)
    yield flaky
    flaky.close()


# --- push ------------------------------------------------------------------------------------


def test_cut_uploads_lost_answers_and_503s_still_store_each_submission_once_and_byte_identical(
    session: Session,
    live_server: LiveServer,
    phone: tuple[str, str],
    proxy: FlakyProxy,
    tmp_path: Path,
) -> None:
    token, _ = phone
    expected = collect_folder(tmp_path / "instances", 3, photos=2)
    expected |= collect_folder(tmp_path / "instances", 2, prefix="small")
    conflicting, _ = next(iter(expected.items()))
    upstream = f"{live_server.base_url}/v1/key/{token}/projects/1"
    stored_first = expected[conflicting][0].replace(b"CL-0000", b"CL-9999")
    assert CollectClient(upstream).post(stored_first).status_code == 201
    proxy.answer(503, times=2)
    proxy.answer(500)
    proxy.cut_upload(after_bytes=30_000, times=2)
    proxy.drop_response(after_upload_bytes=150_000)
    outbox = tmp_path / "outbox.sqlite3"
    server = f"{proxy.base_url}/v1/key/{token}/projects/1"

    pushed = run_sync(
        "push", "--server", server, "--from-collect", str(tmp_path / "instances"),
        "--retries", "8", "--base-delay", "0.05", "--max-delay", "0.2", outbox=outbox,
    )  # fmt: skip

    assert pushed.returncode == 3, pushed.stdout + pushed.stderr  # 3: some were rejected
    assert proxy.pending_faults() == 0, "every fault was hit"
    assert {f.kind for f in proxy.fired} == {"answer", "cut_upload", "drop_response"}
    assert sorted(f.amount for f in proxy.fired if f.kind == "answer") == [500, 503, 503]
    assert "Sent: 4" in pushed.stdout and "Still queued: 0" in pushed.stdout
    del expected[conflicting]
    assert_stored_exactly_once(session, expected)
    [kept] = stored_versions(session)[conflicting]
    assert kept.xml == stored_first, "the server's copy of the conflicting record is untouched"
    [rejected] = [i for i in outbox_items(outbox) if i.state == ItemState.REJECTED]
    assert (rejected.instance_id, rejected.last_status) == (conflicting, 409)
    assert "already exists with different content" in (rejected.message or "")
    status = run_sync("status", outbox=outbox)
    assert f"rejected {conflicting}" in " ".join(status.stdout.split())
    assert "already exists with different content" in status.stdout

    posts = proxy.posts
    again = run_sync("push", "--server", server, outbox=outbox)
    assert again.returncode == 0, again.stdout + again.stderr
    assert proxy.posts == posts, "items marked sent or rejected are never sent again"


def test_a_watching_push_waits_for_a_server_that_is_down_and_sends_once_it_is_up(
    session: Session,
    phone: tuple[str, str],
    database_url: str,
    data_dir: Path,
    empty_forms_dir: Path,
    tmp_path: Path,
) -> None:
    token, login = phone
    expected = collect_folder(tmp_path / "instances", 3, photos=1, photo_size=5_000)
    port, outbox = free_port(), tmp_path / "outbox.sqlite3"
    push = start_sync(
        "push", "--watch", "--server", f"http://127.0.0.1:{port}",
        "--username", login, "--password", token,
        "--from-collect", str(tmp_path / "instances"),
        "--base-delay", "0.1", "--max-delay", "0.5", "--interval", "0.2",
        outbox=outbox, log=tmp_path / "push.log",
    )  # fmt: skip
    server: LiveServer | None = None
    try:
        wait_for(lambda: any(i.attempts >= 2 for i in outbox_items(outbox)), "failed attempts")
        assert all(i.state == ItemState.QUEUED for i in outbox_items(outbox))
        assert "refused" in (outbox_items(outbox)[0].last_error or "").lower()
        env = server_env(database_url, data_dir, empty_forms_dir)
        server = start_server(env, tmp_path, "--workers", "1", port=port)
        wait_for(lambda: all(i.state == ItemState.SENT for i in outbox_items(outbox)), "all sent")
    finally:
        push.send_signal(signal.SIGINT)
        push.wait(timeout=20)
        if server is not None:
            server.stop()
    log = (tmp_path / "push.log").read_text()
    assert push.returncode == 130, log
    assert "Sent: 3" in log and "Still queued: 0" in log
    assert_stored_exactly_once(session, expected)


def test_a_push_killed_with_sigkill_and_started_again_loses_and_duplicates_nothing(
    session: Session, phone: tuple[str, str], proxy: FlakyProxy, tmp_path: Path
) -> None:
    token, _ = phone
    expected = collect_folder(tmp_path / "instances", 200)
    proxy.delay = 0.01
    outbox = tmp_path / "outbox.sqlite3"
    args = (
        "push", "--server", f"{proxy.base_url}/v1/key/{token}/projects/1",
        "--from-collect", str(tmp_path / "instances"), "--base-delay", "0.05",
    )  # fmt: skip
    t0 = time.monotonic()
    first = start_sync(*args, outbox=outbox, log=tmp_path / "first.log")
    try:
        wait_for(
            lambda: sum(i.state == ItemState.SENT for i in outbox_items(outbox)) >= 40,
            "40 sent",
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    sent_before = sum(i.state == ItemState.SENT for i in outbox_items(outbox))
    print("first run", time.monotonic() - t0)
    assert 40 <= sent_before < 200, "killed in the middle of the run"

    t0 = time.monotonic()
    second = run_sync(*args, outbox=outbox)
    print("second run", time.monotonic() - t0, sent_before)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 queued, 200 already in the outbox" in second.stderr
    assert f"Sent: {200 - sent_before}" in second.stdout
    items = outbox_items(outbox)
    assert len(items) == 200 and all(i.state == ItemState.SENT for i in items)
    assert_stored_exactly_once(session, expected)
    assert len(stored_versions(session)) == 200
    assert proxy.posts <= 201, "at most the one POST in flight at the kill is repeated"


def test_rasoat_sync_push_sends_an_odk_collect_instances_folder_copied_off_a_phone(
    session: Session, live_server: LiveServer, phone: tuple[str, str], tmp_path: Path
) -> None:
    token, _ = phone
    instances = tmp_path / "sdcard" / "odk" / "instances"
    expected = collect_folder(instances, 3, photos=2, photo_size=20_000)
    original = next(iter(expected))
    # An edit made on the phone; its folder sorts first, yet it must go after its original.
    edit_xml = instance_xml("hh", deprecated_id=original, fields={"household_code": "CL-sửa"})
    edit_folder = instances / "hh_2026-11-25_08-00-00"
    edit_folder.mkdir()
    (edit_folder / f"{edit_folder.name}.xml").write_bytes(edit_xml)
    (edit_folder / ".thumbnail").write_bytes(b"not sent: hidden")
    broken = instances / "hh_2026-11-26_11-00-00"
    broken.mkdir()
    (broken / f"{broken.name}.xml").write_bytes(b"<data id='hh'><meta><instanceID>uuid:x")
    outbox = tmp_path / "outbox.sqlite3"

    pushed = subprocess.run(
        [
            sys.executable, "-m", "server", "sync", "push", "--outbox", str(outbox),
            "--server", f"{live_server.base_url}/v1/key/{token}/projects/1",
            "--from-collect", str(instances), "--no-progress",
        ],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, check=False,
    )  # fmt: skip

    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert f"{instances}: 4 queued, 0 already in the outbox" in pushed.stderr
    assert f"skipped {broken}: " in pushed.stderr and "not readable XML" in pushed.stderr
    assert "Sent: 4" in pushed.stdout and "Still queued: 0" in pushed.stdout
    edit_id = edit_xml.split(b"<instanceID>")[1].split(b"<")[0].decode()
    assert_stored_exactly_once(session, expected | {edit_id: (edit_xml, {})})
    [edit] = stored_versions(session)[edit_id]
    [replaced] = stored_versions(session)[original]
    assert (edit.deprecated_id, edit.current, replaced.current) == (original, True, False)


# --- pull ------------------------------------------------------------------------------------


@pytest.fixture
def district(app: Flask, session: Session, live_server: LiveServer) -> Callable[[str], None]:
    """A district officer of area 468 and a way to add a household's 2026 review."""
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    phone = find_by_login(session, make_app_user(session).login)
    create_user(
        session,
        email="huyen@camlo.vn",
        display_name="Huyện Cam Lộ",
        password=PASSWORD,
        role=Role.UPPER_OFFICER,
        area_code="468",
    )
    session.commit()

    def add_household(code: str) -> None:
        xml, _ = survey(POOR, household_code=code, review_year=2026)
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
        session.commit()

    add_household("1960301-001")
    return add_household


def test_pull_downloads_the_tables_then_only_what_changed(
    district: Callable[[str], None], live_server: LiveServer, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    area = ("--server", live_server.base_url, "--area", "468", "--period", "2026")
    by_password = ("--email", "huyen@camlo.vn", "--password", PASSWORD, "--dir", str(folder))

    first = run_sync("pull", *area, *by_password)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 7 and all(line.startswith("downloaded") for line in lines)
    summary = folder / "summary_468_2026_vi.csv"
    first_copy = summary.read_bytes()
    assert first_copy.decode("utf-8-sig").startswith("Đơn vị,")

    sign_in = requests.post(
        f"{live_server.base_url}/v1/sessions",
        json={"email": "huyen@camlo.vn", "password": PASSWORD},
        timeout=10,
    )
    by_token = ("--token", sign_in.json()["token"], "--dir", str(folder))
    second = run_sync("pull", *area, *by_token)
    assert second.returncode == 0, second.stdout + second.stderr
    assert [line.split()[0] for line in second.stdout.splitlines()] == ["unchanged"] * 7

    district("1960301-002")
    third = run_sync("pull", *area, *by_token)
    outcomes = dict(reversed(line.split()[:2]) for line in third.stdout.splitlines())
    assert outcomes["summary_468_2026_vi.csv"] == "downloaded"
    assert outcomes["followup_468_vi.csv"] == "unchanged"
    assert summary.read_bytes() != first_copy

    as_xlsx = run_sync("pull", *area, *by_token, "--format", "xlsx", "--table", "summary")
    assert as_xlsx.stdout.split()[:2] == ["downloaded", "summary_468_2026_vi.xlsx"]
    book = load_workbook(io.BytesIO((folder / "summary_468_2026_vi.xlsx").read_bytes()))
    assert book.active is not None and book.active["A1"].value


# --- what a person reads: records flagged, names, skipped folders, causes of refusals ----------


@pytest.fixture
def survey_phone(app: Flask, session: Session) -> str:
    """The token of a phone without an area that may send the household survey."""
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    return make_app_user(session).token


def write_instance(instances: Path, name: str, xml: bytes) -> Path:
    folder = instances / name
    folder.mkdir(parents=True)
    (folder / f"{name}.xml").write_bytes(xml)
    return folder


def test_a_record_the_server_stored_but_flagged_is_reported_with_its_issue_not_as_success(
    live_server: LiveServer, survey_phone: str, tmp_path: Path
) -> None:
    instances = tmp_path / "instances"
    good, _ = survey(POOR, household_code="1960301-101")
    # A village the area tree does not know: stored (the cadre's work is safe), kept out of
    # the registry, "has issues" for the commune officer.
    flagged, flagged_id = survey(POOR, household_code="1960399-102", village="1960399")
    write_instance(instances, "ho_101", good)
    write_instance(instances, "ho_102", flagged)
    outbox = tmp_path / "outbox.sqlite3"
    server = f"{live_server.base_url}/v1/key/{survey_phone}/projects/1"

    pushed = run_sync(
        "push", "--server", server, "--from-collect", str(instances), "--no-progress",
        outbox=outbox,
    )  # fmt: skip

    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "Sent: 2 (1 stored with issues for an officer to look at)" in pushed.stdout
    [issue_line] = [line for line in pushed.stdout.splitlines() if "has issues" in line]
    assert flagged_id in issue_line and "1960399" in issue_line
    assert f"sent, has issues {flagged_id}" in pushed.stderr  # the running log says it too
    [item] = [i for i in outbox_items(outbox) if i.instance_id == flagged_id]
    assert item.state == ItemState.SENT and item.issues and "1960399" in item.issues

    status = run_sync("status", outbox=outbox)  # without --all: a flagged item still shows
    [line] = status.stdout.splitlines()[1:]
    assert "sent, has issues" in line and "1960399-102 Hồ Văn Lợi" in line and flagged_id in line


def test_status_names_each_item_by_household_and_head_and_lists_the_folders_it_skipped(
    live_server: LiveServer, survey_phone: str, tmp_path: Path
) -> None:
    instances = tmp_path / "instances"
    xml, instance_id = survey(POOR, household_code="1960301-103", head_name="Lê Thị Hoa")
    write_instance(instances, "ho_103", xml)
    broken = write_instance(instances, "ho_hong", b"<data id='household_survey'><meta>")
    outbox = tmp_path / "outbox.sqlite3"
    dead = f"http://127.0.0.1:{free_port()}/v1/key/abc/projects/1"  # nothing is sent yet

    run_sync(
        "push", "--server", dead, "--from-collect", str(instances), "--no-progress",
        "--retries", "0", "--base-delay", "0.01", outbox=outbox,
    )  # fmt: skip
    status = run_sync("status", outbox=outbox)

    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].endswith(": 1 queued, 0 sent, 0 rejected")
    assert "1960301-103 Lê Thị Hoa" in lines[1] and instance_id in lines[1]
    assert lines[2] == "Skipped when queuing (1):"
    assert lines[3].startswith(f"  {broken}: ") and "not readable XML" in lines[3]

    # Once the folder is mended and queued, it is no longer listed as skipped.
    (broken / f"{broken.name}.xml").write_bytes(survey(POOR, household_code="1960301-104")[0])
    run_sync(
        "push", "--server", dead, "--from-collect", str(instances), "--no-progress",
        "--retries", "0", "--base-delay", "0.01", outbox=outbox,
    )  # fmt: skip
    again = run_sync("status", outbox=outbox).stdout
    assert "Skipped" not in again and "1960301-104 Hồ Văn Lợi" in again


def test_push_gives_up_after_exactly_the_retries_asked_for_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "instances"
    write_instance(folder, "ho_1", survey(POOR)[0])
    dead = f"http://127.0.0.1:{free_port()}/v1/key/abc/projects/1"

    pushed = run_sync(
        "push", "--server", dead, "--from-collect", str(folder), "--no-progress",
        "--retries", "2", "--base-delay", "0.01", outbox=tmp_path / "outbox.sqlite3",
    )  # fmt: skip

    assert pushed.returncode == 4, pushed.stdout + pushed.stderr
    assert "Stopped: gave up after 2 retries (3 failed attempts in a row)" in pushed.stdout
    assert pushed.stderr.count("waiting ") == 2  # two waits between the three attempts


def test_a_refused_push_names_the_likely_cause(
    app: Flask, session: Session, live_server: LiveServer, survey_phone: str, tmp_path: Path
) -> None:
    folder = tmp_path / "instances"
    write_instance(folder, "ho_1", survey(POOR)[0])

    def push(server: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return run_sync(
            "push", "--server", server, "--from-collect", str(folder), "--no-progress", *extra,
            outbox=tmp_path / f"outbox-{len(extra)}-{abs(hash(server))}.sqlite3",
        )  # fmt: skip

    wrong_token = push(f"{live_server.base_url}/v1/key/not-a-token/projects/1")
    no_username = push(live_server.base_url)
    wrong_password = push(live_server.base_url, "--username", "cadre", "--password", "sai")

    def said(run: subprocess.CompletedProcess[str]) -> str:
        return run.stdout + run.stderr

    assert wrong_token.returncode == 1
    assert "the token in this address is wrong, or the phone was revoked" in said(wrong_token)
    assert no_username.returncode == 1 and "give --username" in said(no_username)
    assert wrong_password.returncode == 1 and "wrong user name or password" in said(wrong_password)
    for refused in (wrong_token, no_username, wrong_password):
        assert "Still queued: 1" in refused.stdout  # nothing lost: the item waits in the outbox


def test_pull_defaults_to_this_year_and_exits_non_zero_naming_each_table_refused(
    district: Callable[[str], None], live_server: LiveServer, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    signed = ("--email", "huyen@camlo.vn", "--password", PASSWORD, "--dir", str(folder))
    this_year = time.gmtime().tm_year

    pulled = run_sync("pull", "--server", live_server.base_url, "--area", "468", *signed)
    outside = run_sync("pull", "--server", live_server.base_url, "--area", "999999", *signed)
    wrong = run_sync(
        "pull", "--server", live_server.base_url, "--area", "468",
        "--email", "huyen@camlo.vn", "--password", "sai", "--dir", str(folder),
    )  # fmt: skip

    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert f"summary_468_{this_year}_vi.csv" in pulled.stdout
    assert outside.returncode == 3, outside.stdout + outside.stderr
    refused = [line for line in outside.stdout.splitlines() if line.startswith("refused")]
    assert len(refused) == 7 and all("HTTP 4" in line for line in refused)
    assert "7 of 7 tables not downloaded" in outside.stderr
    assert wrong.returncode == 1 and "wrong e-mail or password" in wrong.stderr
