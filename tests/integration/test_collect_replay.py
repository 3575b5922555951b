"""Replays of what ODK Collect does, in Collect's order, over real HTTP against `rasoat serve`:
formList → form → manifest → media → HEAD → POST (openrosa.md §1–§3)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import FormState
from server.extensions import blob_store
from server.storage.models import Submission, SubmissionAttachment, SubmissionVersion
from tests.conftest import ADVERTISED_BYTES
from tests.support.collect import (
    CollectClient,
    instance_xml,
    parse_form_list,
    parse_manifest,
    response_message,
    with_device_id,
)
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form

VILLAGES = "name,label\n1960301,Thôn Bản Chùa\n1960302,Thôn An Mỹ\n".encode()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def phone(live_server: LiveServer, session: Session) -> CollectClient:
    new = make_app_user(session)
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def stored_versions(session: Session, instance_id: str | None = None) -> list[SubmissionVersion]:
    session.rollback()  # a fresh snapshot: SQLite keeps a read transaction's view
    query = select(SubmissionVersion).order_by(SubmissionVersion.id)
    if instance_id:
        query = query.where(SubmissionVersion.instance_id == instance_id)
    return list(session.scalars(query))


def stored_files(session: Session, version: SubmissionVersion) -> dict[str, str | None]:
    query = select(SubmissionAttachment).where(
        SubmissionAttachment.submission_version_id == version.id
    )
    return {a.name: a.blob_sha256 for a in session.scalars(query)}


def assert_openrosa_xml(response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "charset=utf-8" in response.headers["Content-Type"].lower()


def test_collect_lists_downloads_and_submits_a_form_with_media_and_a_photo(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh", with_media=True), media={"markets.csv": VILLAGES})

    listing = phone.form_list()
    assert listing.status_code == 200
    assert_openrosa_xml(listing)
    assert listing.headers["Cache-Control"] == "private, no-cache"
    [entry] = parse_form_list(listing.content)
    assert entry["formID"] == "hh"
    assert entry["name"] == "Biểu mẫu hh"
    assert entry["version"] == "1"
    assert entry["downloadUrl"].startswith(phone.server_url + "/")

    form = phone.get(entry["downloadUrl"])
    assert form.status_code == 200
    assert entry["hash"] == f"md5:{md5(form.content)}"

    manifest = phone.get(entry["manifestUrl"])
    assert manifest.status_code == 200
    assert_openrosa_xml(manifest)
    [media] = parse_manifest(manifest.content)
    assert media["filename"] == "markets.csv"
    csv = phone.get(media["downloadUrl"])
    assert csv.status_code == 200
    assert csv.content == VILLAGES
    assert media["hash"] == f"md5:{md5(VILLAGES)}"

    head = phone.head_submission()
    assert head.status_code == 204
    assert head.headers["X-OpenRosa-Version"] == "1.0"
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) == ADVERTISED_BYTES

    photo = os.urandom(20_000)
    xml = instance_xml("hh", fields={"household_code": "CL-0001", "photo": "p1.jpg"})
    posted = phone.post(xml, {"p1.jpg": photo})
    assert posted.status_code == 201
    assert_openrosa_xml(posted)
    assert "Đã nhận phiếu" in response_message(posted)

    [version] = stored_versions(session)
    assert version.xml == xml
    assert version.device_id == "collect:AbCdEf0123456789"
    files = stored_files(session, version)
    assert files == {"p1.jpg": hashlib.sha256(photo).hexdigest()}
    assert blob_store(app).read(files["p1.jpg"] or "") == photo


def test_a_submission_split_in_three_posts_is_stored_once_with_every_attachment(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    photos = {f"p{i}.jpg": os.urandom(100_000) for i in range(3)}
    xml = instance_xml("hh", fields={"photo": "p0.jpg", "photo2": "p1.jpg"})

    upload = phone.submit(xml, photos)

    posts = upload.responses[1:]
    assert len(posts) == 3, "100 kB photos under a 150 kB limit go one per POST"
    assert [r.status_code for r in posts] == [201, 201, 201]
    [version] = stored_versions(session)
    assert version.complete
    assert stored_files(session, version) == {
        name: hashlib.sha256(data).hexdigest() for name, data in photos.items()
    }
    assert session.query(Submission).count() == 1


def test_an_interrupted_split_upload_is_marked_incomplete_until_the_last_post(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = instance_xml("hh", fields={"photo": "a.jpg", "photo2": "b.jpg"})

    first = phone.post(xml, {"a.jpg": b"A" * 10}, incomplete=True)
    assert first.status_code == 201
    [version] = stored_versions(session)
    assert not version.complete
    assert stored_files(session, version) == {
        "a.jpg": hashlib.sha256(b"A" * 10).hexdigest(),
        "b.jpg": None,
    }

    last = phone.post(xml, {"b.jpg": b"B" * 10})
    assert last.status_code == 201
    [version] = stored_versions(session)
    assert version.complete
    assert None not in stored_files(session, version).values()


def test_sending_a_stored_submission_again_succeeds_without_a_second_row(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = instance_xml("hh", fields={"household_code": "CL-0002"})
    assert phone.post(xml).status_code == 201

    again = phone.post(xml)

    assert again.status_code == 202
    assert "đã được nhận" in response_message(again)
    assert len(stored_versions(session)) == 1


def test_the_same_instance_id_with_different_xml_is_refused_as_a_conflict(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    first = instance_xml("hh", instance_id="uuid:same", fields={"household_code": "CL-0003"})
    second = instance_xml("hh", instance_id="uuid:same", fields={"household_code": "CL-9999"})
    assert phone.post(first).status_code == 201

    conflict = phone.post(second)

    assert conflict.status_code == 409
    assert "uuid:same" in response_message(conflict)
    [version] = stored_versions(session)
    assert version.xml == first


def test_an_edit_replaces_the_record_and_keeps_the_photos_it_did_not_resend(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    original = instance_xml(
        "hh", instance_id="uuid:v1", fields={"household_code": "CL-0004", "photo": "a.jpg"}
    )
    assert phone.post(original, {"a.jpg": b"photo-a"}).status_code == 201
    edited = instance_xml(
        "hh",
        instance_id="uuid:v2",
        deprecated_id="uuid:v1",
        fields={"household_code": "CL-0044", "photo": "a.jpg"},
    )

    response = phone.post(edited)

    assert response.status_code == 201
    versions = stored_versions(session)
    assert [(v.instance_id, v.current) for v in versions] == [("uuid:v1", False), ("uuid:v2", True)]
    assert versions[0].submission_id == versions[1].submission_id
    assert stored_files(session, versions[1]) == {"a.jpg": hashlib.sha256(b"photo-a").hexdigest()}
    assert session.query(Submission).count() == 1


def test_an_edit_of_an_outdated_copy_or_of_an_unknown_record_is_refused(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    assert phone.post(instance_xml("hh", instance_id="uuid:v1")).status_code == 201
    assert (
        phone.post(instance_xml("hh", instance_id="uuid:v2", deprecated_id="uuid:v1")).status_code
        == 201
    )

    stale = phone.post(instance_xml("hh", instance_id="uuid:v3", deprecated_id="uuid:v1"))
    unknown = phone.post(instance_xml("hh", instance_id="uuid:v4", deprecated_id="uuid:nope"))

    assert stale.status_code == 409
    assert "uuid:v1" in response_message(stale)
    assert unknown.status_code == 404
    assert "uuid:nope" in response_message(unknown)
    assert [v.instance_id for v in stored_versions(session)] == ["uuid:v1", "uuid:v2"]


def test_a_form_without_media_has_no_manifest_url_and_an_empty_manifest(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("plain"))
    [entry] = parse_form_list(phone.form_list().content)
    assert "manifestUrl" not in entry
    manifest = phone.get(f"{phone.server_url}/forms/plain/manifest")
    assert manifest.status_code == 200
    assert parse_manifest(manifest.content) == []


def test_submissions_without_an_instance_id_are_accepted_and_still_deduplicated(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = b'<data id="hh" version="1"><household_code>CL-7</household_code></data>'
    assert phone.post(xml).status_code == 201
    assert phone.post(xml).status_code == 202
    [version] = stored_versions(session)
    assert version.instance_id.startswith("uuid:")
    assert version.xml == xml


def test_a_record_saved_under_an_older_published_version_is_accepted(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh", version="1"))
    publish_form(app, session, photo_form("hh", version="2"))
    [entry] = parse_form_list(phone.form_list().content)
    assert entry["version"] == "2"
    assert phone.post(instance_xml("hh", version="1")).status_code == 201


def test_the_form_list_honours_form_id_and_tolerates_device_id(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("aaa"))
    publish_form(app, session, photo_form("bbb"))
    everything = parse_form_list(phone.form_list().content)
    only = parse_form_list(phone.get(f"{phone.server_url}/formList?formID=bbb").content)
    assert [e["formID"] for e in everything] == ["aaa", "bbb"]
    assert [e["formID"] for e in only] == ["bbb"]


def test_unreferenced_extra_parts_are_kept_with_the_submission(
    app: Flask, session: Session, phone: CollectClient, tmp_path: Path
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = instance_xml("hh")
    assert phone.post(xml, {"audit.csv": b"event,start\n"}).status_code == 201
    [version] = stored_versions(session)
    assert list(stored_files(session, version)) == ["audit.csv"]


def test_a_closing_form_leaves_the_list_but_still_accepts_what_phones_hold(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"), state=FormState.CLOSING)
    assert parse_form_list(phone.form_list().content) == []
    assert phone.get(f"{phone.server_url}/forms/hh.xml").status_code == 200
    assert phone.post(instance_xml("hh")).status_code == 201


def test_a_phone_with_no_forms_gets_an_empty_list(phone: CollectClient) -> None:
    listing = phone.form_list()
    assert listing.status_code == 200
    assert parse_form_list(listing.content) == []


def test_a_client_that_omits_the_openrosa_version_header_is_still_served(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    bare = requests.post(
        f"{phone.server_url}/submission",
        files={"xml_submission_file": ("x.xml", instance_xml("hh"), "text/xml")},
        timeout=10,
    )
    assert bare.status_code == 201
    assert bare.headers["X-OpenRosa-Version"] == "1.0"


def test_an_edit_whose_new_instance_id_is_already_taken_is_a_conflict(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    assert phone.post(instance_xml("hh", instance_id="uuid:a")).status_code == 201
    assert phone.post(instance_xml("hh", instance_id="uuid:b")).status_code == 201
    reuse = phone.post(instance_xml("hh", instance_id="uuid:b", deprecated_id="uuid:a"))
    assert reuse.status_code == 409
    assert [v.current for v in stored_versions(session)] == [True, True]


def test_an_attachment_shorter_than_its_part_header_says_is_refused(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = instance_xml("hh", fields={"photo": "p.jpg"})
    body = (
        b'--b\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="x.xml"'
        b"\r\nContent-Type: text/xml\r\n\r\n" + xml + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="p.jpg"; filename="p.jpg"\r\n'
        b"Content-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n" + b"J" * 10 + b"\r\n--b--\r\n"
    )
    response = requests.post(
        with_device_id(f"{phone.server_url}/submission"),
        data=body,
        timeout=10,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    assert "5000" in response_message(response)
    assert stored_versions(session) == []


def encrypted_envelope(instance_id: str | None) -> bytes:
    meta = (
        f"<orx:meta><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>"
        if instance_id
        else ""
    )
    return (
        '<data xmlns="http://www.opendatakit.org/xforms/encrypted" '
        'xmlns:orx="http://openrosa.org/xforms" id="hh" version="1" encrypted="yes">'
        "<base64EncryptedKey>a2V5</base64EncryptedKey>"
        + meta
        + "<media><file>1718020000123.jpg.enc</file></media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>c2ln</base64EncryptedElementSignature></data>"
    ).encode()


def test_an_encrypted_submission_is_stored_as_sent_with_its_encrypted_files(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    envelope = encrypted_envelope("uuid:enc-1")
    files = {"submission.xml.enc": b"\x01" * 64, "1718020000123.jpg.enc": b"\x02" * 64}

    first = phone.post(
        envelope, {"submission.xml.enc": files["submission.xml.enc"]}, incomplete=True
    )
    last = phone.post(envelope, {"1718020000123.jpg.enc": files["1718020000123.jpg.enc"]})

    assert (first.status_code, last.status_code) == (201, 201)
    [version] = stored_versions(session)
    assert version.xml == envelope
    assert version.instance_id == "uuid:enc-1"
    assert stored_files(session, version) == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items()
    }


def test_an_encrypted_envelope_without_an_instance_id_is_refused(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    response = phone.post(encrypted_envelope(None))
    assert response.status_code == 400
    assert "instanceID" in response_message(response)


def test_attachment_names_in_vietnamese_are_kept_exactly(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    name = "ảnh nhà ông Lợi.jpg"
    assert (
        phone.post(instance_xml("hh", fields={"photo": name}), {name: b"jpeg"}).status_code == 201
    )
    [version] = stored_versions(session)
    assert list(stored_files(session, version)) == [name]
