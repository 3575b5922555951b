"""The JSON API for staff and scripts: bearer sign-in as in ODK Central, the tables as JSON,
CSV or XLSX with ETags, each person limited to their area, personal lists audited."""

from __future__ import annotations

import io

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
from server.storage.models import AuditEvent
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.surveys import NOT_POOR, POOR, survey

PASSWORD = "mật-khẩu-dài-đủ"


@pytest.fixture
def api(app: Flask, session: Session, live_server: LiveServer) -> str:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    phone = find_by_login(session, make_app_user(session).login)
    for code, classes in (("1960301-001", (POOR, POOR)), ("1960301-002", (POOR, NOT_POOR))):
        for year, answers in zip((2025, 2026), classes, strict=True):
            xml, _ = survey(answers, household_code=code, review_year=year)
            receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    for email, role, area in (
        ("huyen@camlo.vn", Role.UPPER_OFFICER, "468"),
        ("xa@camtuyen.vn", Role.COMMUNE_OFFICER, "19603"),
        ("xem@camlo.vn", Role.VIEWER, "468"),
    ):
        create_user(
            session, email=email, display_name=email, password=PASSWORD, role=role, area_code=area
        )
    session.commit()
    return f"{live_server.base_url}/v1"


def token(api: str, email: str) -> dict[str, str]:
    response = requests.post(
        f"{api}/sessions", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_sign_in_gives_a_bearer_token_that_identifies_the_user(api: str) -> None:
    me = requests.get(f"{api}/users/current", headers=token(api, "huyen@camlo.vn"), timeout=10)
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["role"]) == ("huyen@camlo.vn", "upper_officer")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "huyen@camlo.vn", "password": "sai"},
        {"email": "ai@dau.vn", "password": PASSWORD},
    ],
)
def test_wrong_credentials_get_401_without_saying_which_part_was_wrong(
    api: str, body: dict[str, str]
) -> None:
    response = requests.post(f"{api}/sessions", json=body, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == 401.2


def test_a_request_without_a_valid_token_gets_401(api: str) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = requests.get(
            f"{api}/reports/summary?area=468&period=2026", headers=headers, timeout=10
        )
        assert response.status_code == 401


def test_the_summary_comes_as_json_csv_and_xlsx_and_revalidates_with_its_etag(api: str) -> None:
    auth = token(api, "huyen@camlo.vn")
    url = f"{api}/reports/summary?area=468&period=2026"

    body = requests.get(url, headers=auth, timeout=10)
    assert body.status_code == 200
    table = body.json()
    tuyen = next(r["cells"] for r in table["rows"] if r["cells"]["label"] == "Xã Cam Tuyền")
    assert (tuyen["poor_start"], tuyen["poor_exited"], tuyen["poor_end"]) == (2, 1, 1)
    assert table["columns"][0]["heading"] == "Đơn vị"

    again = requests.get(url, headers={**auth, "If-None-Match": body.headers["ETag"]}, timeout=10)
    assert again.status_code == 304

    as_csv = requests.get(url + "&format=csv&lang=en", headers=auth, timeout=10)
    assert as_csv.content.startswith("\ufeff".encode())
    assert as_csv.content.decode("utf-8-sig").startswith("Unit,Resident households,")
    as_xlsx = requests.get(url + "&format=xlsx", headers=auth, timeout=10)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet["A1"].value.startswith("Tổng hợp kết quả rà soát")


def test_each_person_sees_only_their_own_area(api: str) -> None:
    commune = token(api, "xa@camtuyen.vn")
    own = requests.get(f"{api}/reports/summary?area=19603&period=2026", headers=commune, timeout=10)
    other = requests.get(
        f"{api}/reports/summary?area=19612&period=2026", headers=commune, timeout=10
    )
    above = requests.get(
        f"{api}/lists/deficiencies?area=468&period=2026", headers=commune, timeout=10
    )
    assert (own.status_code, other.status_code, above.status_code) == (200, 403, 403)


def test_personal_lists_are_not_for_viewers_and_every_download_is_audited(
    api: str, session: Session
) -> None:
    viewer = requests.get(
        f"{api}/lists/deficiencies?area=468&period=2026",
        headers=token(api, "xem@camlo.vn"),
        timeout=10,
    )
    assert viewer.status_code == 403

    listed = requests.get(
        f"{api}/lists/deficiencies?area=468&period=2026&format=csv",
        headers=token(api, "huyen@camlo.vn"),
        timeout=10,
    )
    assert listed.status_code == 200
    assert "1960301-001" in listed.content.decode("utf-8-sig")
    session.rollback()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()
    assert [(e.target, e.details) for e in events] == [
        ("list thieu_hut", "area=468&period=2026&format=csv")
    ]


def test_a_commune_officer_records_a_commitment_for_their_commune(api: str) -> None:
    auth = token(api, "xa@camtuyen.vn")
    put = requests.put(
        f"{api}/areas/19603/commitments/2026", json={"pledged": 3}, headers=auth, timeout=10
    )
    assert put.status_code == 200
    outside = requests.put(
        f"{api}/areas/19612/commitments/2026", json={"pledged": 3}, headers=auth, timeout=10
    )
    assert outside.status_code == 403
    bad = requests.put(
        f"{api}/areas/19603/commitments/2026", json={"pledged": "ba"}, headers=auth, timeout=10
    )
    assert bad.status_code == 400
    assert "pledged" in bad.json()["message"]
    report = requests.get(
        f"{api}/reports/commitments?area=19603&period=2026",
        headers=token(api, "huyen@camlo.vn"),
        timeout=10,
    ).json()
    total = report["rows"][-1]["cells"]
    assert (total["pledged"], total["exited"]) == (3, 1)
