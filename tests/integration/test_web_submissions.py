"""The submission and audit pages over real HTTP against `rasoat serve`: a form's records filtered
by area, date and review state within one's own area; one record with its questions and choices
labelled in Vietnamese or English, its members as a table and its files as downloads; a review
state set with a comment; and the audit log that records every reading."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.extensions import blob_store
from server.services.submission_review import LOCAL_TIME
from server.services.submissions import IncomingFile, IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.models import AuditEvent, User
from tests.integration import test_web_access
from tests.integration.test_web_access import SECOND_HOUSEHOLD, Browser, csrf_of, signed_in
from tests.support.factories import make_app_user, publish_form
from tests.support.html_page import read_page
from tests.support.surveys import POOR, survey, visit

LIST = "/submissions?form=household_survey"
RECORD = f"/submissions/household_survey/{SECOND_HOUSEHOLD}"
VILLAGE = "Thôn Bản Chùa"
site = test_web_access.site  # the fixture: records of commune 19603 and its people
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00JFIF" + bytes(range(256))


def store(app: Flask, session: Session, xml: bytes, files: tuple[IncomingFile, ...] = ()) -> None:
    phone = find_by_login(session, make_app_user(session, name="Máy thử").login)
    incoming = IncomingSubmission(xml=xml, files=files)
    receive_submission(session, blob_store(app), phone, incoming)  # type: ignore[arg-type]
    session.commit()


def listed(client: Browser, query: str = "") -> list[list[str]]:
    """The rows of the list page: household, village, submitted by, received, state."""
    response = client.get(LIST + query)
    assert response.status_code == 200, response.text[:300]
    return [row for row in read_page(response.text).tables[0][1:] if len(row) == 5]


def test_the_list_shows_ones_own_area_filtered_by_area_date_and_review_state(site: str) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    today = datetime.now(LOCAL_TIME).date()
    everything = listed(tuyen)
    assert sorted(row[0].split(" · ")[0] for row in everything) == [
        "1960301-001",
        "1960301-001",
        "1960301-002",
    ]
    assert {(row[1], row[2], row[4]) for row in everything} == {(VILLAGE, "Cán bộ thôn", "Đã nhận")}
    assert len(listed(tuyen, f"&area=1960301&from={today}&to={today}")) == 3
    assert listed(tuyen, f"&from={today + timedelta(days=1)}") == []
    assert listed(tuyen, f"&to={today - timedelta(days=1)}") == []
    assert listed(tuyen, "&state=approved") == []
    assert len(listed(tuyen, "&state=received")) == 3
    hieu = signed_in(site, "hieu@camlo.vn")
    assert listed(hieu) == []
    assert hieu.get(LIST + "&area=19603").status_code == 403
    assert tuyen.get(LIST + "&from=hôm-qua").status_code == 400


def test_a_record_kept_out_of_the_registry_is_shown_to_administrators_only(
    app: Flask, session: Session, site: str
) -> None:
    xml, instance_id = survey(POOR, village="9999901", household_code="9999901-001")
    store(app, session, xml)
    admin, huyen = signed_in(site, "admin@tinh.vn"), signed_in(site, "huyen@camlo.vn")
    unplaced = [row for row in listed(admin) if row[1] == "—"]
    assert [(row[0], row[4]) for row in unplaced] == [(instance_id, "Có vấn đề")]
    assert len(listed(huyen)) == 3
    assert huyen.get(f"/submissions/household_survey/{instance_id}").status_code == 403
    page = admin.get(f"/submissions/household_survey/{instance_id}")
    assert "9999901" in dict(read_page(page.text).pairs)["Vấn đề"]


def test_answers_carry_question_and_choice_labels_in_vietnamese_or_in_english(site: str) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    vietnamese = read_page(tuyen.get(RECORD).text).pairs
    labels = [label for label, _ in vietnamese]
    assert (
        labels.index("Năm của danh sách hộ nghèo, hộ cận nghèo")
        < labels.index("Họ và tên chủ hộ")
        < labels.index("Hộ có nhà ở không?")
    )
    answers = dict(vietnamese)
    assert answers["Họ và tên chủ hộ"] == "Hồ Văn Lợi"
    assert answers["Dân tộc của chủ hộ"] == "Bru - Vân Kiều"
    assert answers["Hộ có những phương tiện nào?"] == "Ti vi"
    english = dict(read_page(tuyen.get(RECORD + "?lang=en").text).pairs)
    assert english["Name of the head"] == "Hồ Văn Lợi"
    assert english["Ethnicity of the head"] == "Bru - Van Kieu"
    assert english["Main source of drinking water"] == "Unprotected well"
    assert english["Review state"] == "Received"


def test_household_members_are_a_table_of_one_row_each_with_choice_labels(site: str) -> None:
    tables = read_page(signed_in(site, "huyen@camlo.vn").get(RECORD).text).tables
    # The classification table comes first; the members table is the one numbered by row.
    members = next(table for table in tables if table[0][:1] == ["#"])
    assert members[0][:4] == ["#", "Họ và tên", "Giới tính", "Quan hệ với chủ hộ"]
    assert [row[1:4] for row in members[1:]] == [
        ["Hồ Văn Lợi", "Nam", "Chủ hộ"],
        ["Trần Thị Hoa", "Nữ", "Vợ hoặc chồng"],
        ["Hồ Văn Con 0", "Nam", "Con (cả con dâu, con rể)"],
        ["Hồ Văn Con 1", "Nam", "Con (cả con dâu, con rể)"],
    ]


def test_a_records_files_download_as_attachments_and_only_within_its_area(
    app: Flask, session: Session, site: str
) -> None:
    xml, instance_id = survey(POOR, household_code="1960301-003")
    files = (
        IncomingFile("anh_nha.jpg", io.BytesIO(PHOTO), "image/jpeg"),
        IncomingFile("trang.html", io.BytesIO(b"<script>alert(1)</script>"), "text/html"),
    )
    store(app, session, xml, files)
    record = f"/submissions/household_survey/{instance_id}"
    tuyen = signed_in(site, "tuyen@camlo.vn")
    links = read_page(tuyen.get(record).text).links
    assert any(link.startswith(f"{record}/files/anh_nha.jpg") for link in links)
    photo = tuyen.get(f"{record}/files/anh_nha.jpg")
    assert photo.status_code == 200
    assert photo.content == PHOTO
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["Content-Disposition"].startswith("attachment")
    page = tuyen.get(f"{record}/files/trang.html")
    assert page.headers["Content-Disposition"].startswith("attachment")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in page.headers["Content-Security-Policy"]
    assert tuyen.get(f"{record}/files/khong_co.jpg").status_code == 404
    assert signed_in(site, "hieu@camlo.vn").get(f"{record}/files/anh_nha.jpg").status_code == 403
    assert signed_in(site, "xem@camlo.vn").get(f"{record}/files/anh_nha.jpg").status_code == 403


def review(client: Browser, data: dict[str, str]) -> requests.Response:
    return client.post(RECORD + "/review", data)


def test_an_officer_sets_the_review_state_with_a_comment_that_is_listed_and_audited(
    site: str, session: Session
) -> None:
    tuyen, hieu = signed_in(site, "tuyen@camlo.vn"), signed_in(site, "hieu@camlo.vn")
    token = csrf_of(tuyen.get(RECORD).content)
    comment = "Đã đối chiếu <b>sổ hộ</b>"
    assert review(tuyen, {"state": "approved", "comment": comment}).status_code == 400
    other = {
        "state": "approved",
        "comment": "x",
        "csrf_token": csrf_of(hieu.get("/phones").content),
    }
    assert review(hieu, other).status_code == 403
    assert (
        review(tuyen, {"state": "received", "comment": " ", "csrf_token": token}).status_code == 400
    )
    done = review(tuyen, {"state": "approved", "comment": comment, "csrf_token": token})
    assert done.status_code == 302
    shown = tuyen.get(RECORD).text
    assert dict(read_page(shown).pairs)["Trạng thái rà soát"] == "Đã duyệt"
    assert "tuyen@camlo.vn" in shown
    assert "&lt;b&gt;sổ hộ&lt;/b&gt;" in shown
    assert "<b>sổ hộ" not in shown
    assert [row[0] for row in listed(tuyen, "&state=approved")] == ["1960301-002 · Hồ Văn Lợi"]
    session.rollback()
    events = session.execute(
        select(AuditEvent.target, AuditEvent.details).where(
            AuditEvent.action == "submission.review"
        )
    )
    assert list(events) == [
        (f"submission household_survey {SECOND_HOUSEHOLD}", "received → approved")
    ]


def test_script_looking_answers_are_shown_as_text(site: str) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    first = next(
        link
        for link in read_page(tuyen.get(LIST).text).links
        if link.startswith("/submissions/household_survey/") and SECOND_HOUSEHOLD not in link
    )
    page = tuyen.get(first).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert dict(read_page(page).pairs)["Họ và tên chủ hộ"] == "<script>alert('x')</script>"


def test_the_audit_log_lists_sign_ins_and_readings_newest_first_by_kind_and_person(
    site: str, session: Session
) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    tuyen.get(RECORD)
    admin = signed_in(site, "admin@tinh.vn")
    rows = read_page(admin.get("/audit").text).tables[0][1:]
    assert [row[1:3] for row in rows[:3]] == [
        ["admin@tinh.vn", "Đăng nhập vào trang"],
        ["tuyen@camlo.vn", "Đọc hoặc tải dữ liệu cá nhân"],
        ["tuyen@camlo.vn", "Đăng nhập vào trang"],
    ]
    assert rows[1][3] == f"submission household_survey {SECOND_HOUSEHOLD} (view)"
    sign_ins = read_page(admin.get("/audit?kind=sign_in").text).tables[0][1:]
    assert {row[2] for row in sign_ins} == {"Đăng nhập vào trang"}
    assert len(sign_ins) == 2
    tuyen_id = session.scalar(select(User.id).where(User.email == "tuyen@camlo.vn"))
    theirs = read_page(admin.get(f"/audit?person={tuyen_id}").text).tables[0][1:]
    assert {row[1] for row in theirs} == {"tuyen@camlo.vn"}
    assert len(theirs) == 2


def test_a_follow_up_visit_lies_in_the_village_of_the_household_it_visits(
    app: Flask, session: Session, site: str
) -> None:
    path = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    store(app, session, visit("1960301-001"))
    visits = "/submissions?form=followup_visit"
    tuyen = read_page(signed_in(site, "tuyen@camlo.vn").get(visits).text).tables[0][1:]
    assert [row[:2] for row in tuyen] == [["1960301-001 · <script>alert('x')</script>", VILLAGE]]
    hieu = read_page(signed_in(site, "hieu@camlo.vn").get(visits).text).tables[0][1:]
    assert [len(row) for row in hieu] == [1]
