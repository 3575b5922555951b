"""Hostile submissions over real HTTP (issue 8 point 4), beyond the refusals of
test_openrosa_refusals.py: every one gets a clear OpenRosa message naming the problem, or is
stored exactly as sent and harms nothing; nothing half-written stays behind."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from server.storage.models import Submission, SubmissionAttachment, SubmissionVersion
from tests.integration.test_openrosa_refusals import nothing_left_behind, phone, refused
from tests.support.collect import CollectClient, instance_xml, response_message, with_device_id

__all__ = ["nothing_left_behind", "phone"]  # fixtures shared with the refusals

HEAD = '<?xml version="1.0"?>'
DATA = '<data id="hh" version="1">'


def post_raw(phone: CollectClient, body: bytes, content_type: str | None) -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    url = with_device_id(f"{phone.server_url}/submission")
    return requests.post(url, data=body, headers=headers, timeout=30)


def instance_part(xml: bytes, boundary: str = "b", name: str = "xml_submission_file") -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="x.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode() + xml


@pytest.mark.usefixtures("nothing_left_behind")
class TestRefused:
    @pytest.mark.parametrize(
        "xml",
        [
            f'{HEAD}<!DOCTYPE data [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>{DATA}</data>',
            f'{HEAD}<!DOCTYPE data [<!ENTITY a "{"x" * 50_000}">]>{DATA}<q>{"&a;" * 50_000}</q>'
            "</data>",
            f'{HEAD}<!DOCTYPE data PUBLIC "-//X//Y" "http://127.0.0.1:9/x.dtd">{DATA}</data>',
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM '
            f'"file:///etc/hostname">]>{DATA}<q>&x;</q></data>',
        ],
        ids=["parameter-entity", "quadratic-blowup", "public-dtd", "xxe-in-utf16"],
    )
    def test_every_kind_of_dtd_is_refused_before_anything_is_expanded(
        self, phone: CollectClient, xml: str
    ) -> None:
        encoding = "utf-16" if "UTF-16" in xml else "utf-8"
        refused(phone.post(xml.encode(encoding)), 400, "DTD")

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            (instance_part(instance_xml("hh")) + b"\r\n--b--\r\n", "multipart/form-data"),
            (instance_part(instance_xml("hh")) + b"\r\n--b--\r\n", "multipart/form-data; b=c"),
            (
                instance_part(instance_xml("hh"), "a") + b"\r\n--a--\r\n",
                "multipart/form-data; boundary=zz",
            ),
            (b"\x00\xff garbage \xfe" * 1000, "multipart/form-data; boundary=b"),
            (
                b"--b\r\nContent-Type: text/xml\r\n\r\n<data/>\r\n--b--\r\n",
                "multipart/form-data; boundary=b",
            ),
            (
                b'--b\r\nContent-Disposition: form-data; name="xml_submission_file"',
                "multipart/form-data; boundary=b",
            ),
            (b"", "multipart/form-data; boundary=b"),
            (
                instance_part(instance_xml("hh"), name="other") + b"\r\n--b--\r\n",
                "multipart/form-data; boundary=b",
            ),
        ],
        ids=[
            "no-boundary",
            "no-boundary-parameter",
            "wrong-boundary",
            "binary-garbage",
            "part-without-disposition",
            "headers-never-end",
            "empty-body",
            "instance-under-another-name",
        ],
    )
    def test_malformed_multipart_bodies_are_refused_with_a_message(
        self, phone: CollectClient, body: bytes, content_type: str
    ) -> None:
        message = refused(post_raw(phone, body, content_type), 400)
        assert "xml_submission_file" in message or "multipart" in message

    @pytest.mark.parametrize(
        "content_type",
        [
            None,
            "application/json",
            "application/xml",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/mixed; boundary=b",
        ],
    )
    def test_a_body_of_another_content_type_is_refused_naming_multipart(
        self, phone: CollectClient, content_type: str | None
    ) -> None:
        body = b"xml_submission_file=" + instance_xml("hh")
        refused(post_raw(phone, body, content_type), 400, "multipart/form-data")

    @pytest.mark.parametrize(
        "xml",
        [
            instance_xml("hh", fields={"household_code": "XX"}).replace(b"XX", b"\xff\xfe"),
            b'<?xml version="1.0" encoding="UTF-8"?><data id="hh\xc3" version="1"/>',
            b"\xef\xbb\xbf\xef\xbb\xbf<data id='hh'/>",
        ],
        ids=["bad-bytes-in-answer", "truncated-sequence-in-id", "double-bom"],
    )
    def test_instance_xml_that_is_not_valid_utf8_is_refused_with_its_line(
        self, phone: CollectClient, xml: bytes
    ) -> None:
        refused(phone.post(xml), 400, "line 1")

    @pytest.mark.parametrize("encoding", ["tf-8", "big5", "utf-7", "rot13", "idna"])
    def test_an_unsupported_encoding_in_the_xml_declaration_is_refused_naming_it(
        self, phone: CollectClient, encoding: str
    ) -> None:
        declared = f'version="1.0" encoding="{encoding}"?>'.encode()
        xml = instance_xml("hh").replace(b'version="1.0"?>', declared, 1)
        refused(phone.post(xml), 400, "encoding")

    @pytest.mark.parametrize(
        ("field", "filename"),
        [
            ("a.jpg", "../../a.jpg"),
            ("a.jpg", "/etc/passwd"),
            ("/etc/passwd", "passwd"),
            ("\\\\server\\share\\a.jpg", "a.jpg"),
            ("a.jpg", "..\\\\..\\\\a.jpg"),  # a quoted header halves the backslashes
            ("a.jpg", "C:a.jpg"),
            ("a.jpg", "x" * 256),
        ],
    )
    def test_an_attachment_whose_field_or_file_name_is_a_path_is_refused(
        self, phone: CollectClient, field: str, filename: str
    ) -> None:
        xml = instance_xml("hh", fields={"photo": "a.jpg"})
        parts = [
            ("xml_submission_file", ("x.xml", xml, "text/xml")),
            (field, (filename, b"\xff\xd8 photo", "image/jpeg")),
        ]
        url = with_device_id(f"{phone.server_url}/submission")
        refused(requests.post(url, files=parts, timeout=30), 400, "attachment")

    def test_a_part_header_that_is_not_utf8_makes_the_whole_body_unreadable(
        self, phone: CollectClient
    ) -> None:
        # Werkzeug drops every part when one header cannot be decoded, so the phone hears
        # that the instance is missing: a refusal, and nothing of the body is stored.
        body = (
            instance_part(instance_xml("hh"))
            + b'\r\n--b\r\nContent-Disposition: form-data; name="../\xff\xfe.jpg"; '
            b'filename="../\xff.jpg"\r\n\r\nphoto\r\n--b--\r\n'
        )
        refused(
            post_raw(phone, body, "multipart/form-data; boundary=b"), 400, "xml_submission_file"
        )


def stored_xml(session: Session) -> list[bytes]:
    session.rollback()
    return list(session.scalars(select(SubmissionVersion.xml).order_by(SubmissionVersion.id)))


SQL_ANSWERS = [
    "'; DROP TABLE submission; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM submission_version WHERE ('1'='1",
    "\\'; SELECT pg_sleep(5); --",
]
SCRIPT_ANSWERS = [
    "&lt;script&gt;alert('x')&lt;/script&gt;",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;img src=x onerror=alert(1)&gt;",
    '=HYPERLINK("http://evil","bấm")',
    "javascript:alert(document.cookie)",
]


@pytest.mark.parametrize("answer", SQL_ANSWERS + SCRIPT_ANSWERS)
def test_sql_or_script_looking_answers_are_stored_byte_for_byte_and_harm_nothing(
    phone: CollectClient, session: Session, answer: str
) -> None:
    xml = instance_xml("hh", fields={"household_code": answer, "photo": answer.replace("/", "")})

    first, again = phone.post(xml), phone.post(xml)

    assert (first.status_code, again.status_code) == (201, 202), first.text
    assert stored_xml(session) == [xml]
    assert session.scalar(select(func.count()).select_from(Submission)) == 1
    assert session.execute(text("SELECT count(*) FROM submission_version")).scalar() == 1


def test_an_instance_id_that_looks_like_sql_still_deduplicates_and_conflicts_exactly(
    phone: CollectClient, session: Session
) -> None:
    instance_id = "uuid:' OR 1=1; --"
    first = instance_xml("hh", instance_id=instance_id, fields={"household_code": "A"})
    other = instance_xml("hh", instance_id=instance_id, fields={"household_code": "B"})

    statuses = [phone.post(xml).status_code for xml in (first, first, other)]

    assert statuses == [201, 202, 409]
    assert stored_xml(session) == [first]


def test_a_file_path_named_in_the_answers_is_kept_as_text_and_never_opened(
    phone: CollectClient, session: Session
) -> None:
    xml = instance_xml("hh", fields={"photo": "/etc/passwd", "photo2": "../../secret_key"})

    response = phone.post(xml)

    assert response.status_code == 201, response_message(response)
    session.rollback()
    attachments = session.execute(
        select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
    )
    assert sorted(attachments) == [("../../secret_key", None), ("/etc/passwd", None)]
