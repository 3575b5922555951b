"""Every refusal of openrosa.md §6 over real HTTP: the right status, an OpenRosaResponse whose
message names the problem, and nothing left behind in the database or on disk."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.vocabulary import FormState
from server.services import app_users
from server.storage.models import Blob, Form, Project, SubmissionVersion
from tests.conftest import MAX_REQUEST_BYTES
from tests.support.collect import CollectClient, instance_xml, response_message, with_device_id
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form


@pytest.fixture
def phone(app: Flask, live_server: LiveServer, session: Session) -> CollectClient:
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session)
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


@pytest.fixture
def nothing_left_behind(session: Session, data_dir: Path):  # type: ignore[no-untyped-def]
    """After the test: no submission row, no file row, no file on disk."""
    yield
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SubmissionVersion)) == 0
    assert session.scalar(select(func.count()).select_from(Blob)) == 0
    blobs = data_dir / "blobs"
    leftovers = [p for p in blobs.rglob("*") if p.is_file()] if blobs.exists() else []
    assert leftovers == []


def refused(response: requests.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    message = response_message(response)
    for word in words:
        assert word in message
    return message


pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def test_a_post_without_the_instance_part_is_refused(phone: CollectClient) -> None:
    url = with_device_id(f"{phone.server_url}/submission")
    response = requests.post(url, files={"photo.jpg": ("photo.jpg", b"x")}, timeout=10)
    refused(response, 400, "xml_submission_file")


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (b"<data id='hh'><unclosed></data>", ("line 1",)),
        (b"", ("xml_submission_file",)),
        (b"<data><meta><instanceID>uuid:1</instanceID></meta></data>", ("id",)),
        (
            b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<data id="hh" version="1"><household_code>&xxe;</household_code></data>',
            ("DTD",),
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<data id="hh" version="1"><household_code>&lol3;</household_code></data>',
            ("DTD",),
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE data SYSTEM "http://127.0.0.1:9/evil.dtd">'
            b'<data id="hh" version="1"/>',
            ("DTD",),
        ),
    ],
    ids=["malformed", "empty", "no-form-id", "xxe", "billion-laughs", "external-dtd"],
)
def test_unreadable_or_hostile_instance_xml_is_refused(
    phone: CollectClient, xml: bytes, words: tuple[str, ...]
) -> None:
    refused(phone.post(xml), 400, *words)


def test_an_unknown_form_is_refused_with_404(phone: CollectClient) -> None:
    refused(phone.post(instance_xml("no_such_form")), 404, "no_such_form")


def test_an_unknown_version_of_a_known_form_is_refused_with_404(phone: CollectClient) -> None:
    refused(phone.post(instance_xml("hh", version="99")), 404, "hh", "99")


def test_a_closed_form_refuses_submissions_with_409(phone: CollectClient, session: Session) -> None:
    session.execute(Form.__table__.update().values(state=FormState.CLOSED))
    session.commit()
    refused(phone.post(instance_xml("hh")), 409, "hh")


def test_a_form_that_was_never_published_is_unknown_to_phones(
    phone: CollectClient, session: Session
) -> None:
    session.add(Form(project_id=1, xml_form_id="draft_only", title="Nháp"))
    session.commit()
    refused(phone.post(instance_xml("draft_only")), 404, "draft_only")
    assert "draft_only" not in phone.form_list().text


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b.jpg", "C:\\x.jpg", "..", "a\x01.jpg"])
def test_an_attachment_name_with_a_path_is_refused_and_nothing_is_written(
    phone: CollectClient, name: str
) -> None:
    response = phone.post(instance_xml("hh", fields={"photo": name}), {name: b"data"})
    refused(response, 400, "attachment")


def test_a_body_over_the_limit_is_answered_413_before_it_is_read(phone: CollectClient) -> None:
    url = urlsplit(with_device_id(f"{phone.server_url}/submission"))
    connection = http.client.HTTPConnection(url.netloc, timeout=10)
    connection.putrequest("POST", f"{url.path}?{url.query}")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(MAX_REQUEST_BYTES * 10))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    assert response.status == 413
    assert b"OpenRosaResponse" in body


def test_a_chunked_body_that_grows_over_the_limit_is_refused_with_413(
    phone: CollectClient,
) -> None:
    boundary = "rasoatboundary"
    head = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="x.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + instance_xml("hh")
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="big.jpg"; '
            f'filename="big.jpg"\r\n\r\n'
        ).encode()
    )

    def chunks():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(MAX_REQUEST_BYTES // 65536 + 10):
            yield b"\0" * 65536

    response = requests.post(
        with_device_id(f"{phone.server_url}/submission"),
        data=chunks(),
        timeout=30,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    refused(response, 413)


def test_a_post_that_is_not_multipart_is_refused(phone: CollectClient) -> None:
    response = requests.post(
        with_device_id(f"{phone.server_url}/submission"),
        data=instance_xml("hh"),
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    refused(response, 400, "multipart/form-data")


def test_a_truncated_multipart_body_stores_nothing(phone: CollectClient) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="x.xml"'
        b"\r\nContent-Type: text/xml\r\n\r\n" + instance_xml("hh")[:40]
    )
    response = requests.post(
        with_device_id(f"{phone.server_url}/submission"),
        data=body,
        timeout=10,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    assert b"OpenRosaResponse" in response.content


def test_a_phone_limited_to_other_forms_may_not_submit_to_this_one(
    app: Flask, live_server: LiveServer, session: Session
) -> None:
    publish_form(app, session, photo_form("hh"))
    publish_form(app, session, photo_form("other"))
    new = make_app_user(session, form_ids=["other"])
    phone = CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")
    refused(phone.post(instance_xml("hh")), 403, "hh")
    assert "<formID>hh</formID>" not in phone.form_list().text


class TestTokens:
    def routes(self, phone: CollectClient) -> list[requests.Response]:
        return [
            phone.form_list(),
            phone.get(f"{phone.server_url}/forms/hh.xml"),
            phone.get(f"{phone.server_url}/forms/hh/manifest"),
            phone.head_submission(),
            phone.post(instance_xml("hh")),
        ]

    def test_a_revoked_token_gets_403_on_every_route(
        self, phone: CollectClient, session: Session
    ) -> None:
        login = session.scalars(select(app_users.AppUser.login)).one()
        app_users.revoke_app_user(session, 1, login)
        session.commit()
        for response in self.routes(phone):
            assert response.status_code == 403
            assert "WWW-Authenticate" not in response.headers

    @pytest.mark.parametrize(
        "token", ["A" * 64, "short", "!" * 64, "x" * 65], ids=["unknown", "short", "odd", "long"]
    )
    def test_an_unknown_or_malformed_token_gets_403(
        self, phone: CollectClient, live_server: LiveServer, token: str
    ) -> None:
        stranger = CollectClient(f"{live_server.base_url}/v1/key/{token}/projects/1")
        assert {r.status_code for r in self.routes(stranger)} == {403}

    def test_a_token_used_with_another_project_gets_403(
        self, phone: CollectClient, session: Session
    ) -> None:
        session.add(Project(id=2, name="Dự án khác"))
        session.commit()
        elsewhere = CollectClient(phone.server_url.replace("/projects/1", "/projects/2"))
        assert {r.status_code for r in self.routes(elsewhere)} == {403}
