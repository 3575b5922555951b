"""The forms and areas pages over real HTTP: an XLSForm's problems named by sheet and row, a
draft that phones see only once it is published, versions with their files, resident households
edited within one's area, and the area CSV imported whole or not at all."""

from __future__ import annotations

import io
import zipfile

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.services.reports import review_summary
from server.storage.areas import find_area_by_code, households_in
from server.storage.models import AuditEvent
from tests.integration.test_web_access import Browser, csrf_of, signed_in, site  # noqa: F401  (a fixture)
from tests.support.factories import make_app_user
from tests.support.xlsforms import xlsform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = [
    ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "required"],
    ["text", "head_name", "Họ tên chủ hộ", "Name of the head", "yes"],
    ["select_one yn", "has_water", "Có nước sạch không?", "Clean water?", ""],
]
CHOICES = [
    ["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)"],
    ["yn", "yes", "Có", "Yes"],
    ["yn", "no", "Không", "No"],
]


def upload(client: Browser, data: bytes, filename: str = "thu_nghiem.xlsx") -> requests.Response:
    token = csrf_of(client.get("/forms").content)
    return client.http.post(
        client.base + "/forms",
        data={"csrf_token": token},
        files={"xlsform": (filename, data, XLSX)},
        allow_redirects=False,
        timeout=30,
    )


def act(client: Browser, form_id: str, action: str) -> requests.Response:
    token = csrf_of(client.get(f"/forms/{form_id}").content)
    return client.post(f"/forms/{form_id}", {"csrf_token": token, "action": action})


def listed_form_ids(base: str, token: str) -> str:
    return requests.get(f"{base}/v1/key/{token}/projects/1/formList", timeout=20).text


def test_an_upload_with_an_error_names_the_sheet_and_row_in_plain_words(site: str) -> None:  # noqa: F811
    admin = signed_in(site, "admin@tinh.vn")
    twice = [["type", "name", "label"], ["text", "a", "A"], ["text", "a", "B"]]
    response = upload(admin, xlsform(twice, form_id="loi"))
    assert response.status_code == 400
    assert "Trang tính “survey”, dòng 3" in response.text
    assert "Tên “a” được dùng hai lần" in response.text
    misspelt = [["type", "name", "label"], ["text", "a", "A"], ["integr", "b", "B"]]
    english = signed_in(site, "admin@tinh.vn")
    english.get("/?lang=en")
    response = upload(english, xlsform(misspelt, form_id="loi"))
    assert response.status_code == 400
    assert "Sheet “survey”, row 3" in response.text
    assert "The question type “integr” does not exist" in response.text


def test_files_that_are_not_spreadsheets_or_unpack_to_gigabytes_are_refused_clearly(
    site: str,  # noqa: F811
) -> None:
    admin = signed_in(site, "admin@tinh.vn")
    not_a_sheet = upload(admin, b"Day khong phai bang tinh", "bieu_mau.xlsx")
    assert not_a_sheet.status_code == 400
    assert "không đọc được" in not_a_sheet.text
    wrong_kind = upload(admin, b"code,name\n", "bieu_mau.csv")
    assert wrong_kind.status_code == 400
    assert "không phải là XLSForm" in wrong_kind.text
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 120_000_000)
    refused = upload(admin, bomb.getvalue(), "bom.xlsx")
    assert refused.status_code == 400
    assert "100 MB" in refused.text
    assert "/forms" in admin.get("/forms").text, "the server still answers"


def test_a_draft_is_invisible_to_phones_until_published_and_closing_removes_it_again(
    site: str,  # noqa: F811
    session: Session,
) -> None:
    phone = make_app_user(session, name="Máy thử")
    admin = signed_in(site, "admin@tinh.vn")
    response = upload(admin, xlsform(GOOD, form_id="thu_nghiem", version="3", choices=CHOICES))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/forms/thu_nghiem/versions/3")
    draft = admin.get("/forms/thu_nghiem/versions/3")
    assert "Họ tên chủ hộ" in draft.text
    assert "Không" in draft.text
    assert "Name of the head" in admin.get("/forms/thu_nghiem/versions/3?form_lang=en").text
    assert 'name="action" value="publish"' in draft.text
    assert "thu_nghiem" not in listed_form_ids(site, phone.token)

    assert act(admin, "thu_nghiem", "publish").status_code == 302
    assert "<formID>thu_nghiem</formID>" in listed_form_ids(site, phone.token)
    assert act(admin, "thu_nghiem", "close").status_code == 302
    assert "thu_nghiem" not in listed_form_ids(site, phone.token)
    assert act(admin, "thu_nghiem", "open").status_code == 302
    assert "<formID>thu_nghiem</formID>" in listed_form_ids(site, phone.token)

    session.rollback()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("form.%")).order_by(AuditEvent.id)
    )
    assert list(actions) == ["form.draft", "form.publish", "form.state", "form.state"]


def test_an_upload_is_checked_by_odk_validate_and_its_warnings_are_shown(
    site: str,  # noqa: F811
) -> None:
    admin = signed_in(site, "admin@tinh.vn")
    broken_xpath = [*GOOD, ["integer", "members", "Số nhân khẩu", "Members", ""]]
    broken_xpath[0] = [*broken_xpath[0], "constraint"]
    broken_xpath[1:] = [[*row, ""] for row in broken_xpath[1:-1]] + [
        [*broken_xpath[-1], ". > 0 and (. < 30"]  # pyxform passes it on; JavaRosa cannot parse
    ]
    refused = upload(admin, xlsform(broken_xpath, form_id="xpath_sai", choices=CHOICES))
    assert refused.status_code == 400
    assert "ODK Validate" in refused.text

    unlabelled_repeat = [  # pyxform only warns about a repeat without a label
        *GOOD,
        ["begin_repeat", "members", "", "", ""],
        ["text", "member_name", "Họ tên", "Name", ""],
        ["end_repeat", "", "", "", ""],
    ]
    accepted = upload(admin, xlsform(unlabelled_repeat, form_id="canh_bao", choices=CHOICES))
    assert accepted.status_code == 302
    page = admin.get(accepted.headers["Location"]).text
    assert "pyxform và ODK Validate đều chấp nhận" in page
    assert "Cảnh báo" in page and "Repeat has no label" in page and "row 4" in page


def test_versions_show_who_published_them_and_each_xlsform_downloads(site: str) -> None:  # noqa: F811
    admin = signed_in(site, "admin@tinh.vn")
    first = xlsform(GOOD, form_id="phien_ban", version="1", choices=CHOICES)
    second = xlsform(
        [*GOOD, ["integer", "size", "Số người", "Members", "yes"]],
        form_id="phien_ban",
        version="2",
        choices=CHOICES,
    )
    for data in (first, second):
        assert upload(admin, data).status_code == 302
        assert act(admin, "phien_ban", "publish").status_code == 302
    officer = signed_in(site, "huyen@camlo.vn")
    page = officer.get("/forms/phien_ban")
    assert page.status_code == 200
    assert page.text.count("admin@tinh.vn") == 2
    assert 'value="publish"' not in page.text and 'value="close"' not in page.text
    download = officer.get("/forms/phien_ban/versions/1/xlsform")
    assert download.status_code == 200
    assert download.content == first
    assert act(officer, "phien_ban", "close").status_code == 403


def test_the_same_version_with_other_content_cannot_become_a_draft(site: str) -> None:  # noqa: F811
    admin = signed_in(site, "admin@tinh.vn")
    assert upload(admin, xlsform(GOOD, form_id="trung", version="1", choices=CHOICES)).ok
    assert act(admin, "trung", "publish").status_code == 302
    changed = xlsform(GOOD[:2], form_id="trung", version="1")
    refused = upload(admin, changed)
    assert refused.status_code == 409
    assert "tăng số phiên bản" in refused.text


def test_a_upper_officer_corrects_resident_households_only_within_their_district(
    site: str,  # noqa: F811
    session: Session,
) -> None:
    officer = signed_in(site, "huyen@camlo.vn")
    token = csrf_of(officer.get("/areas?code=19603").content)
    saved = officer.post(
        "/areas/1960301/households", {"csrf_token": token, "year": "2026", "households": "777"}
    )
    assert saved.status_code == 302
    assert "777" in officer.get("/areas?code=19603").text
    province = officer.post(
        "/areas/45/households", {"csrf_token": token, "year": "2026", "households": "1"}
    )
    assert province.status_code == 403
    commune = signed_in(site, "tuyen@camlo.vn")
    token = csrf_of(commune.get("/login").content)
    refused = commune.post(
        "/areas/1960301/households", {"csrf_token": token, "year": "2026", "households": "5"}
    )
    assert refused.status_code == 403
    session.rollback()
    village, above = find_area_by_code(session, "1960301"), find_area_by_code(session, "45")
    assert village is not None and above is not None
    assert households_in(session, village.id, 2026) == 777
    assert households_in(session, above.id, 2026) is None


def test_the_areas_page_shows_the_resident_households_the_summary_counts(
    site: str,  # noqa: F811
    session: Session,
) -> None:
    officer = signed_in(site, "huyen@camlo.vn")
    token = csrf_of(officer.get("/areas?code=468").content)
    # A commune's figure is the sum of its villages': it cannot be set apart from them.
    own_figure = officer.post(
        "/areas/19603/households", {"csrf_token": token, "year": "2026", "households": "9"}
    )
    assert own_figure.status_code == 400
    assert "kept per village" in own_figure.text or "theo thôn" in own_figure.text
    session.rollback()
    commune = find_area_by_code(session, "19603")
    assert commune is not None and households_in(session, commune.id, 2026) is None
    summary = review_summary(session, None, "468", 2026)
    cells = next(r.cells for r in summary.rows if r.cells["label"] == "Xã Cam Tuyền")
    assert isinstance(cells["residents"], int) and cells["residents"] > 0
    page = officer.get("/areas?code=468&lang=en").text
    shown = f"{cells['residents']:,}"
    assert shown in page, f"the areas page shows {shown} for Cam Tuyền, as the summary counts"


def import_csv(client: Browser, text: str) -> requests.Response:
    token = csrf_of(client.get("/areas/import").content)
    return client.http.post(
        client.base + "/areas/import",
        data={"csrf_token": token},
        files={"file": ("dia_ban.csv", text.encode("utf-8"), "text/csv")},
        allow_redirects=False,
        timeout=30,
    )


def test_the_area_csv_is_imported_whole_or_refused_naming_its_line_and_column(
    site: str,  # noqa: F811
    session: Session,
) -> None:
    admin = signed_in(site, "admin@tinh.vn")
    header = "# thôn mới\ncode,name,level,parent_code,urban,households_2026\n"
    bad = header + "1960399,Thôn Mới,village,19603,,40\n1960398,Thôn Sai,hamlet,19603,,\n"
    refused = import_csv(admin, bad)
    assert refused.status_code == 400
    assert "line 4, column level" in refused.text
    session.rollback()
    assert find_area_by_code(session, "1960399") is None, "nothing of a refused file stays"

    done = import_csv(admin, header + "1960399,Thôn Mới,village,19603,,40\n")
    assert done.status_code == 200
    assert "1 địa bàn mới" in done.text
    assert "Thôn Mới" in admin.get("/areas?code=19603").text
    session.rollback()
    created = find_area_by_code(session, "1960399")
    assert created is not None
    assert households_in(session, created.id, 2026) == 40
