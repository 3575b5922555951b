"""The whole path with a real form engine as the phone: formList → form → manifest → the phone's
own villages.csv → ODK's engine (@getodk/xforms-engine) fills the form → HEAD → POST → stored."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.storage.models import SubmissionVersion
from tests.support import engine
from tests.support.collect import DEVICE_ID, CollectClient, parse_form_list, parse_manifest
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer

HOUSEHOLD_CONTACT = REPO_ROOT / "forms" / "household_contact.xlsx"


@pytest.fixture(autouse=True, scope="module")
def _engine_installed() -> None:
    engine.require_engine()


def test_an_instance_filled_by_odks_engine_from_the_phones_own_village_list_is_accepted(
    app: Flask, session: Session, live_server: LiveServer
) -> None:
    make_areas(session)
    phone_user = make_app_user(session, area_code="19603")  # Xã Cam Tuyền
    publish_form(app, session, HOUSEHOLD_CONTACT.read_bytes(), filename=HOUSEHOLD_CONTACT.name)
    phone = CollectClient(f"{live_server.base_url}/v1/key/{phone_user.token}/projects/1")

    [entry] = parse_form_list(phone.form_list().content)
    assert entry["formID"] == "household_contact"
    form_xml = phone.get(entry["downloadUrl"]).content
    media = {
        m["filename"]: phone.get(m["downloadUrl"]).content
        for m in parse_manifest(phone.get(entry["manifestUrl"]).content)
    }
    villages = list(csv.DictReader(io.StringIO(media["villages.csv"].decode("utf-8"))))
    assert sorted(v["name"] for v in villages) == ["1960301", "1960302", "1960303"]

    result = engine.fill(
        form_xml,
        [
            ("/data/village", "1960302"),
            ("/data/household_code", "CT-0042"),
            ("/data/head_name", "Hồ Thị Lan"),
            ("/data/members", 5),
        ],
        media,
    )
    assert result.status == "ready", result.violations

    upload = phone.submit(result.xml)

    assert [r.status_code for r in upload.responses] == [204, 201]
    session.rollback()  # a fresh snapshot of what the server stored
    [version] = session.scalars(select(SubmissionVersion))
    assert version.xml == result.xml
    assert version.instance_id == result.values["/data/meta/instanceID"]
    assert version.device_id == DEVICE_ID
    root = ET.fromstring(version.xml)
    assert (root.get("id"), root.findtext("village")) == ("household_contact", "1960302")
