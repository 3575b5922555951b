"""The world the access matrices run in (tests/integration/test_access_*.py): on top of
test_web_access's `site` (areas, the household survey, records of commune 19603, its people),
a second project with its own form and phone, phones of the sibling communes 19603 and 19612
(district 468), a revoked phone, and records with a photo in each commune."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.extensions import blob_store
from server.services import app_users
from server.services.submissions import IncomingFile, IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.models import Project
from tests.integration.test_web_access import PEOPLE
from tests.support.factories import make_app_user, publish_form
from tests.support.surveys import NOT_POOR, POOR, survey
from tests.support.xlsforms import photo_form

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256))
OTHER_FORM = "du_an_2"  # the form of project 2
ADMIN, DISTRICT, TUYEN, HIEU, VIEWER = PEOPLE  # 45 (all), 468, 19603, 19612, viewer of 468
ALL = set(PEOPLE)
# The instanceIDs of the records with a photo, one in each sibling commune.
RECORD_19603 = "uuid:0b7f6c1e-9d1a-4c0e-8f3a-19603aaaaaaa"
RECORD_19612 = "uuid:0b7f6c1e-9d1a-4c0e-8f3a-19612bbbbbbb"


@dataclass
class World:
    base: str
    tokens: dict[str, tuple[str, int]]  # phone → (token, project)
    digest: dict[str, tuple[str, str]]  # phone → (login, token)
    record_19603: str  # instanceIDs of records with a photo, one in each sibling commune
    record_19612: str
    revocable: str  # login of a phone of commune 19612, revoked by the action matrix


def _store(app: Flask, session: Session, login: str, xml: bytes, photo: bool = False) -> None:
    files = (IncomingFile("anh_nha.jpg", io.BytesIO(PHOTO), "image/jpeg"),) if photo else ()
    phone = find_by_login(session, login)
    receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml, files=files))  # type: ignore[arg-type]
    session.commit()


@pytest.fixture
def world(app: Flask, session: Session, site: str) -> World:
    session.add(Project(id=2, name="Dự án khác"))
    session.commit()
    publish_form(app, session, photo_form(OTHER_FORM), project_id=2)
    path = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    phones = {
        "phone 19603": make_app_user(session, name="Máy Cam Tuyền", area_code="19603"),
        "phone 19612": make_app_user(session, name="Máy Cam Hiếu", area_code="19612"),
        "phone of project 2": make_app_user(session, name="Máy dự án 2", project_id=2),
        "revoked phone": make_app_user(session, name="Máy đã thu hồi", area_code="19603"),
    }
    revocable = make_app_user(session, name="Máy sẽ thu hồi", area_code="19612").login
    app_users.revoke_app_user(session, 1, phones["revoked phone"].login)
    session.commit()
    tuyen = phones["phone 19603"].login
    record_19603 = RECORD_19603
    xml, _ = survey(POOR, household_code="1960301-003", instance_id=record_19603)
    _store(app, session, tuyen, xml, photo=True)
    hieu = phones["phone 19612"].login
    where = {"commune": "19612", "village": "1961201", "household_code": "1961201-001"}
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):  # exited: on 19612's follow-up list
        xml, _ = survey(answers, review_year=year, head_name="Lê Thị Hiếu", **where)
        _store(app, session, hieu, xml)
    record_19612 = RECORD_19612
    xml, _ = survey(POOR, instance_id=record_19612, **{**where, "household_code": "1961201-002"})
    _store(app, session, hieu, xml, photo=True)
    return World(
        base=site,
        tokens={name: (new.token, new.project_id) for name, new in phones.items()},
        digest={name: (new.login, new.token) for name, new in phones.items()},
        record_19603=record_19603,
        record_19612=record_19612,
        revocable=revocable,
    )
