"""ODK Central's REST API as pyodk 1.3 (from PyPI) speaks it, over real HTTP against `rasoat
serve` (odk-central-api.md §8): projects, forms, submissions read, created by XML, edited,
reviewed and commented, their files; HTTP Basic with plain `requests` as Excel and Power BI
sign in, with the sign-in page's lock; and each officer's area, exactly as on the pages.

The world is the access matrices' (tests/support/access_world.py): commune officers of the
sibling communes 19603 (TUYEN) and 19612 (HIEU), a district officer of 468, a viewer, an
administrator, and a record with a photo in each commune."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from pyodk.client import Client
from pyodk.errors import PyODKError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.formats.instance_builder import build_instance
from server.services.users import create_user
from server.storage.models import AuditEvent, Household, User
from server.xlsform import compile_xlsform
from tests.integration import test_web_access
from tests.integration.test_web_access import PASSWORD
from tests.support import access_world
from tests.support.access_world import ADMIN, HIEU, PHOTO, TUYEN, VIEWER, World
from tests.support.factories import publish_form
from tests.support.surveys import POOR, survey
from tests.support.xlsforms import photo_form

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

FORM = "household_survey"
SUBMISSIONS = f"projects/1/forms/{FORM}/submissions"


def pyodk_client(base: str, email: str, folder: Path, password: str = PASSWORD) -> Client:
    """A pyodk client configured by its own TOML file, as its users set it up."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"{email}.toml"
    config.write_text(
        "[central]\n"
        f'base_url = "{base}"\n'
        f'username = "{email}"\n'
        f'password = "{password}"\n'
        "default_project_id = 1\n",
        encoding="utf-8",
    )
    return Client(config_path=str(config), cache_path=str(folder / f"{email}.cache.toml"))


def basic(email: str, password: str = PASSWORD) -> dict[str, str]:
    """HTTP Basic in UTF-8, as the 401 asks (`charset="UTF-8"`): the test passwords are
    Vietnamese, which requests' own HTTPBasicAuth (Latin-1) cannot send."""
    pair = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def central_code(error: PyODKError) -> float:
    response = error.args[1]
    body: dict[str, Any] = response.json()
    return float(body["code"])


def test_pyodk_lists_and_gets_projects_forms_and_records_as_central_serves_them(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        assert {p.id for p in client.projects.list()} == {1, 2}
        assert client.projects.get(1).createdAt.tzinfo is not None
        with pytest.raises(PyODKError) as missing:
            client.projects.get(999)
        assert central_code(missing.value) == 404.1

        forms = {f.xmlFormId: f for f in client.forms.list()}
        assert {FORM, "followup_visit"} <= set(forms)
        survey_form = client.forms.get(FORM)
        assert survey_form.version == forms[FORM].version != ""
        assert survey_form.state == "open" and len(survey_form.hash) == 32
        with pytest.raises(PyODKError) as no_form:
            client.forms.get("khong_co")
        assert central_code(no_form.value) == 404.1
        assert client.forms.get_xml(FORM).lstrip().startswith("<")

        listed = client.submissions.list(form_id=FORM)
        ids = [s.instanceId for s in listed]
        assert {world.record_19603, world.record_19612} <= set(ids)
        assert [s.createdAt for s in listed] == sorted((s.createdAt for s in listed), reverse=True)
        assert all(isinstance(s.submitterId, int) for s in listed)
        one = client.submissions.get(instance_id=world.record_19603, form_id=FORM)
        assert one.instanceId == world.record_19603 and one.reviewState is None


def test_a_form_s_versions_fields_and_extended_metadata_are_central_s(world: World) -> None:
    auth = basic(ADMIN)
    form_url = f"{world.base}/v1/projects/1/forms/{FORM}"
    extended = requests.get(
        form_url, headers={**auth, "X-Extended-Metadata": "true"}, timeout=30
    ).json()
    assert extended["submissions"] >= 5 and extended["lastSubmission"].endswith("Z")
    versions = requests.get(f"{form_url}/versions", headers=auth, timeout=30).json()
    assert [v["version"] for v in versions][:1] == [extended["version"]]
    fields = requests.get(f"{form_url}/fields", params={"odata": "True"}, headers=auth, timeout=30)
    by_path = {f["path"]: f for f in fields.json()}
    assert by_path["/meta/instanceID"]["type"] == "string"
    assert by_path["/meta"]["type"] == "structure"
    assert by_path["/members/member"]["type"] == "repeat"
    assert by_path["/finish/location"]["type"] == "geopoint"
    assert not any(f["binary"] for f in fields.json())  # the survey asks for no photo


def test_an_officer_creates_edits_reviews_and_comments_a_record_with_pyodk(
    world: World, tmp_path: Path, session: Session
) -> None:
    code = "1960301-091"
    xml, instance_id = survey(POOR, household_code=code)
    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        created = client.submissions.create(xml.decode(), form_id=FORM, device_id="may-tinh-1")
        assert (created.instanceId, created.deviceId) == (instance_id, "may-tinh-1")
        again = client.submissions.create(xml.decode(), form_id=FORM)  # as a phone's retry
        assert again.instanceId == instance_id
        other, _ = survey(POOR, household_code=code, instance_id=instance_id, head_name="Khác")
        with pytest.raises(PyODKError) as conflict:
            client.submissions.create(other.decode(), form_id=FORM)
        assert central_code(conflict.value) == 409.3
        # The same ingest as a phone's: the household is in the registry.
        session.rollback()
        assert session.scalars(select(Household).where(Household.code == code)).one()

        edited, edit_id = survey(POOR, household_code=code, deprecated_id=instance_id)
        client.submissions.edit(instance_id, edited.decode(), form_id=FORM)
        after = client.get(f"{SUBMISSIONS}/{instance_id}").json()
        assert after["currentVersion"]["instanceId"] == edit_id
        assert after["reviewState"] == "edited"
        stale, _ = survey(POOR, household_code=code, deprecated_id=instance_id)
        with pytest.raises(PyODKError) as refused:
            client.submissions.edit(instance_id, stale.decode(), form_id=FORM)
        assert central_code(refused.value) == 409.9

        client.submissions.review(instance_id, "approved", form_id=FORM, comment="Đã kiểm tra")
        assert client.submissions.get(instance_id, form_id=FORM).reviewState == "approved"
        client.submissions.add_comment(instance_id, "Thêm ghi chú", form_id=FORM)
        bodies = [c.body for c in client.submissions.list_comments(instance_id, form_id=FORM)]
        assert bodies == ["Đã kiểm tra", "Thêm ghi chú"]


def test_a_record_of_another_form_or_an_unknown_version_is_refused_in_central_s_words(
    world: World,
) -> None:
    xml, _ = survey(POOR, household_code="1960301-092")
    url = f"{world.base}/v1/{SUBMISSIONS}"
    headers = {**basic(TUYEN), "Content-Type": "application/xml"}
    wrong_form = requests.post(
        f"{world.base}/v1/projects/1/forms/followup_visit/submissions",
        data=xml,
        headers=headers,
        timeout=30,
    )
    assert (wrong_form.status_code, wrong_form.json()["code"]) == (400, 400.8)
    unknown = xml.replace(b'version="', b'version="99', 1)
    no_version = requests.post(url, data=unknown, headers=headers, timeout=30)
    assert (no_version.status_code, no_version.json()["code"]) == (404, 404.6)
    not_xml = requests.post(url, json={"x": 1}, headers=basic(TUYEN), timeout=30)
    assert (not_xml.status_code, not_xml.json()["code"]) == (400, 400.8)


def test_pyodk_uploads_the_file_a_new_record_names_through_the_ingest(
    world: World, tmp_path: Path, app: Flask, session: Session
) -> None:
    publish_form(app, session, photo_form("anh_ho"), filename="anh_ho.xlsx")
    xform = compile_xlsform(photo_form("anh_ho"), "anh_ho.xlsx").xform
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = build_instance(
        xform, {"household_code": "1960301-001", "photo": "nha.jpg"}, instance_id=instance_id
    )
    photo = tmp_path / "nha.jpg"
    photo.write_bytes(PHOTO)
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        created = client.submissions.create(xml.decode(), form_id="anh_ho", attachments=[photo])
        assert created.instanceId == instance_id
        record = f"projects/1/forms/anh_ho/submissions/{instance_id}"
        assert client.get(f"{record}/attachments").json() == [{"name": "nha.jpg", "exists": True}]
        assert client.get(f"{record}/attachments/nha.jpg").content == PHOTO
        unnamed = client.post(f"{record}/attachments/khac.jpg", data=b"x")
        assert (unnamed.status_code, unnamed.json()["code"]) == (404, 404.1)


def test_a_record_s_files_and_xml_are_read_through_the_api_and_audited(
    world: World, tmp_path: Path, session: Session
) -> None:
    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        record = f"{SUBMISSIONS}/{world.record_19603}"
        files = client.get(f"{record}/attachments").json()
        assert files == [{"name": "anh_nha.jpg", "exists": True}]
        photo = client.get(f"{record}/attachments/anh_nha.jpg")
        assert photo.content == PHOTO
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        xml = client.get(f"{record}.xml")
        assert world.record_19603.encode() in xml.content
        assert client.get(f"{record}/attachments/khong_co.jpg").status_code == 404
    session.rollback()
    tuyen = session.scalars(select(User.id).where(User.email == TUYEN)).one()
    targets = session.scalars(
        select(AuditEvent.target).where(
            AuditEvent.user_id == tuyen, AuditEvent.action == "download"
        )
    ).all()
    name = f"submission {FORM} {world.record_19603}"
    assert {f"{name} (files)", f"{name} file anh_nha.jpg", f"{name} (xml)"} <= set(targets)


def test_an_officer_of_one_commune_sees_none_of_its_sibling_s_records(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, HIEU, tmp_path / "hieu") as hieu:
        seen = {s.instanceId for s in hieu.submissions.list(form_id=FORM)}
        assert world.record_19612 in seen and world.record_19603 not in seen
        assert len(seen) == 3  # 19612's own: two reviews of one household, and the photo
        with pytest.raises(PyODKError) as refused:
            hieu.submissions.get(world.record_19603, form_id=FORM)
        assert central_code(refused.value) == 403.1
        for path in ("", ".xml", "/attachments", "/comments", "/attachments/anh_nha.jpg"):
            response = hieu.get(f"{SUBMISSIONS}/{world.record_19603}{path}")
            assert response.status_code == 403, path
        review = hieu.session.patch(
            f"{SUBMISSIONS}/{world.record_19603}", json={"reviewState": "rejected"}
        )
        assert review.status_code == 403
        # The count of a form is of the records one may see.
        assert (
            hieu.get(
                f"projects/1/forms/{FORM}", headers={"X-Extended-Metadata": "true"}
            ).status_code
            == 403
        )  # commune officers do not open the forms pages either
    with pyodk_client(world.base, TUYEN, tmp_path / "tuyen") as tuyen:
        seen = {s.instanceId for s in tuyen.submissions.list(form_id=FORM)}
        assert world.record_19603 in seen and world.record_19612 not in seen
    viewer = requests.get(f"{world.base}/v1/{SUBMISSIONS}", headers=basic(VIEWER), timeout=30)
    assert viewer.status_code == 403 and viewer.json()["code"] == 403.1


def test_http_basic_signs_in_beside_bearer_tokens_with_the_sign_in_page_s_lock(
    world: World, session: Session
) -> None:
    email = f"basic.{uuid.uuid4().hex[:8]}@camlo.vn"
    create_user(
        session,
        email=email,
        display_name="Basic",
        password=PASSWORD,
        role=Role.UPPER_OFFICER,
        area_code="468",
    )
    session.commit()
    url = f"{world.base}/v1/projects"
    assert requests.get(url, headers=basic(email), timeout=30).status_code == 200
    for attempt in range(5):
        wrong = requests.get(url, headers=basic(email, "sai"), timeout=30)
        assert wrong.status_code == 401, attempt
        assert wrong.headers["WWW-Authenticate"].startswith('Basic realm="')
        assert wrong.json()["code"] == 401.2
    locked = requests.get(url, headers=basic(email), timeout=30)
    assert locked.status_code == 429
    login = requests.post(
        f"{world.base}/v1/sessions", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 429  # the same lock as a sign-in
    bare = requests.get(url, timeout=30)
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Basic ")
    garbled = requests.get(url, headers={"Authorization": "Basic %%%"}, timeout=30)
    assert garbled.status_code == 401 and garbled.json()["code"] == 401.2
    unknown = requests.get(f"{world.base}/v1/khong-co", headers=basic(ADMIN), timeout=30)
    assert (unknown.status_code, unknown.json()["code"]) == (404, 404.1)
