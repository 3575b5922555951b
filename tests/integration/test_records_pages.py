"""The pages a person reads records on, over real HTTP against `rasoat serve`: "Phiếu đã gửi"
opens on every form's records newest first with the form as a visible filter; a record shows
places by name, the server's classification beside the phone's with a disagreement
highlighted, members as a table and the phone's own fields folded away; issue messages name
questions by their labels; closing a form says what it does and asks again; times are local;
the audit log says what happened in words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from tests.integration import test_web_access
from tests.integration.test_web_access import SECOND_HOUSEHOLD, Browser, signed_in
from tests.integration.test_web_submissions import store
from tests.support.factories import publish_form
from tests.support.html_page import read_page
from tests.support.surveys import POOR, survey, visit

site = test_web_access.site  # the fixture: three survey records of commune 19603 and its people
RECORD = f"/submissions/household_survey/{SECOND_HOUSEHOLD}"
HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")


def rows_of(client: Browser, query: str = "") -> list[list[str]]:
    response = client.get("/submissions" + query)
    assert response.status_code == 200, response.text[:300]
    table = next(t for t in read_page(response.text).tables if t and t[0][:1] == ["Hộ"])
    return table[1:]


def now_shown() -> set[str]:
    """The local time as the pages write it, a minute either side (the clock moves on)."""
    now = datetime.now(HO_CHI_MINH)
    return {f"{now + timedelta(minutes=m):%d/%m/%Y %H:%M}" for m in (-1, 0, 1)}


def publish_visits(app: Flask, session: Session) -> None:
    path = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)


def test_the_submissions_page_opens_on_every_forms_records_newest_first(
    app: Flask, session: Session, site: str
) -> None:
    publish_visits(app, session)
    store(app, session, visit("1960301-001"))
    tuyen = signed_in(site, "tuyen@camlo.vn")
    page = tuyen.get("/submissions").text
    assert re.search(r'<select id="form" name="form">\s*<option value="">Tất cả biểu mẫu', page)
    rows = rows_of(tuyen)
    survey_title = "Rà soát hộ nghèo, hộ cận nghèo — danh sách năm 2027"
    assert [row[5] for row in rows] == ["Thăm hộ mới thoát nghèo", *[survey_title] * 3]
    assert rows[0][0].startswith("1960301-001")  # the visit, received last, comes first
    received = [datetime.strptime(row[3], "%d/%m/%Y %H:%M") for row in rows]
    assert received == sorted(received, reverse=True)
    links = read_page(page).links
    assert any(link.startswith("/submissions/followup_visit/uuid:") for link in links)
    assert any(link.startswith("/submissions/household_survey/uuid:") for link in links)
    visits = rows_of(tuyen, "?form=followup_visit")
    assert [len(row) for row in visits] == [5]
    assert 'value="followup_visit" selected' in tuyen.get("/submissions?form=followup_visit").text
    assert len(rows_of(tuyen, "?form=household_survey")) == 3
    assert tuyen.get("/submissions?form=khong_co").status_code == 404


def test_a_record_shows_places_by_name_and_the_servers_class_beside_the_phones(
    app: Flask, session: Session, site: str
) -> None:
    xml, instance_id = survey(POOR, household_code="1960301-004", provisional_class="near_poor")
    store(app, session, xml)
    page = signed_in(site, "tuyen@camlo.vn").get(f"/submissions/household_survey/{instance_id}")
    pairs = dict(read_page(page.text).pairs)
    assert pairs["Xã"] == "Xã Cam Tuyền"
    assert pairs["Thôn"] == "Thôn Bản Chùa"
    assert pairs["Xã, phường"] == "Xã Cam Tuyền"
    assert pairs["Thôn, tổ dân phố"] == "Thôn Bản Chùa"
    assert pairs["Phân loại của máy chủ"] == "Hộ nghèo"
    assert "Điện thoại không gửi kết quả tự tính." not in page.text
    comparison = next(
        t for t in read_page(page.text).tables if t[0] == ["", "Máy chủ", "Điện thoại"]
    )
    assert comparison[1] == ["Phân loại", "Hộ nghèo", "Hộ cận nghèo ≠"]
    standard = next(r for r in comparison if r[0] == "Chuẩn áp dụng")
    assert standard[1] == "Chuẩn nghèo đa chiều giai đoạn 2022–2025, áp dụng cho năm 2026"
    assert re.search(r'<tr class="differs"><th scope="row" class="text">Phân loại</th>', page.text)
    assert 'id="disagreement"' in page.text
    english = dict(
        read_page(
            signed_in(site, "tuyen@camlo.vn")
            .get(f"/submissions/household_survey/{instance_id}?lang=en")
            .text
        ).pairs
    )
    assert english["Server's classification"] == "Poor"
    assert english["Commune or ward"] == "Xã Cam Tuyền"


def test_a_phone_that_calculated_the_same_is_not_highlighted(
    app: Flask, session: Session, site: str
) -> None:
    xml, instance_id = survey(POOR, household_code="1960301-005", provisional_class="poor")
    store(app, session, xml)
    page = signed_in(site, "tuyen@camlo.vn").get(f"/submissions/household_survey/{instance_id}")
    assert 'class="differs"' not in page.text
    assert "Điện thoại tính ra cùng kết quả." in page.text
    comparison = next(
        t for t in read_page(page.text).tables if t[0] == ["", "Máy chủ", "Điện thoại"]
    )
    assert comparison[1] == ["Phân loại", "Hộ nghèo", "Hộ nghèo"]


def test_members_are_a_table_and_the_phones_own_fields_are_folded_away(
    app: Flask, session: Session, site: str
) -> None:
    xml, instance_id = survey(POOR, household_code="1960301-006", provisional_class="poor")
    store(app, session, xml)
    page = signed_in(site, "tuyen@camlo.vn").get(f"/submissions/household_survey/{instance_id}")
    members = next(t for t in read_page(page.text).tables if t[0][:2] == ["#", "Họ và tên"])
    assert [row[1] for row in members[1:]] == [
        "Hồ Văn Lợi",
        "Trần Thị Hoa",
        "Hồ Văn Con 0",
        "Hồ Văn Con 1",
    ]
    folded = re.search(
        r'<details class="card" id="technical-fields">'
        r"<summary>Trường kỹ thuật</summary>(.*?)</details>",
        page.text,
        re.S,
    )
    assert folded, page.text[-3000:]
    assert "provisional_class" in folded.group(1)
    assert "provisional_class" not in page.text.replace(folded.group(1), "")


def test_an_issue_names_the_question_by_its_label(app: Flask, session: Session, site: str) -> None:
    xml, instance_id = survey(POOR, village="9999901", household_code="9999901-001")
    store(app, session, xml)
    page = signed_in(site, "admin@tinh.vn").get(f"/submissions/household_survey/{instance_id}")
    issue = dict(read_page(page.text).pairs)["Vấn đề"]
    assert "ở «Thôn, tổ dân phố»." in issue
    assert "in “Village or quarter”." in issue
    assert " ở village" not in issue


def test_closing_a_form_says_what_it_does_and_asks_again(site: str) -> None:
    page = signed_in(site, "admin@tinh.vn").get("/forms/household_survey").text
    buttons = [b.strip() for b in re.findall(r"<button[^>]*>([^<]*)</button>", page)]
    assert "Đóng" not in buttons
    assert "Đồng ý, ngừng nhận phiếu" in buttons
    folded = re.search(r'<details class="card" id="close-form">(.*?)</details>', page, re.S)
    assert folded
    assert re.search(r'<summary class="button">Ngừng nhận phiếu…</summary>', page)
    assert "Điện thoại sẽ không gửi được phiếu này nữa." in folded.group(1)
    assert 'value="close"' in folded.group(1)
    english = signed_in(site, "admin@tinh.vn").get("/forms/household_survey?lang=en").text
    assert "Phones can no longer send this form." in english


def test_a_record_whose_phone_sent_no_calculation_says_so(site: str) -> None:
    page = signed_in(site, "tuyen@camlo.vn").get(RECORD).text
    assert dict(read_page(page).pairs)["Phân loại của máy chủ"] == "Hộ nghèo"
    assert "Điện thoại không gửi kết quả tự tính." in page
    assert "Điện thoại tính ra cùng kết quả." not in page


def test_times_are_shown_in_local_time_in_one_format(site: str) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    record = dict(read_page(tuyen.get(RECORD).text).pairs)
    assert record["Đã nhận"] in now_shown()
    assert {row[3] for row in rows_of(tuyen)} <= now_shown()
    admin = signed_in(site, "admin@tinh.vn")
    versions = read_page(admin.get("/forms/household_survey").text).tables[0]
    assert versions[1][1] in now_shown()
    assert "UTC" not in admin.get("/forms/household_survey").text
    phones = read_page(admin.get("/phones").text).tables[0][1:]
    assert phones and all(set(row) & now_shown() for row in phones)
    audit = read_page(admin.get("/audit").text).tables[0][1:]
    assert {row[0] for row in audit} <= now_shown()


def test_the_audit_log_says_what_happened_in_words(site: str) -> None:
    tuyen = signed_in(site, "tuyen@camlo.vn")
    download = tuyen.get("/lists/deficiencies?area=19603&period=2026&format=csv")
    assert download.status_code == 200
    tuyen.get(RECORD)
    tuyen.get("/submissions")
    admin = signed_in(site, "admin@tinh.vn")
    words = [row[4] for row in read_page(admin.get("/audit").text).tables[0][1:]]
    assert "Xem danh sách phiếu đã gửi của tất cả biểu mẫu" in words
    assert f"Xem phiếu {SECOND_HOUSEHOLD} của biểu mẫu household_survey" in words
    assert any(w.startswith("Tải danh sách hộ thiếu hụt — Xã Cam Tuyền — 2026") for w in words)
    assert "Đăng nhập vào trang" in words
    english = [row[4] for row in read_page(admin.get("/audit?lang=en").text).tables[0][1:]]
    assert any(
        w.startswith("Downloaded the list of households with deficiencies — Xã Cam Tuyền — 2026")
        for w in english
    )
