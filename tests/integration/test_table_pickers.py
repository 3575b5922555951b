"""The table and list pages as a person navigates them, over real HTTP: area and year pickers
within the person's own area, remembered from page to page and named in the file names;
numbers written the Vietnamese (or English) way; the two CSV files read back; action lists one
household a row, filtered and paged."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from server.extensions import blob_store
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from tests.integration.test_web_access import (  # noqa: F401  (site is a fixture)
    Browser,
    signed_in,
    site,
)
from tests.support.factories import make_app_user
from tests.support.surveys import NEAR_POOR, POOR, survey

EXTRA_POOR = 55  # with the site's one poor household: more than a page of 50


@pytest.fixture
def lists_site(app: Flask, session: Session, site: str) -> str:  # noqa: F811
    """The pages' test data and, in commune 19603, a near-poor household of village 1960302
    lacking only water, and 55 more poor households of village 1960301, one of merit."""
    phone = find_by_login(session, make_app_user(session, name="Máy thêm").login)
    records = [
        survey(
            NEAR_POOR,
            household_code="1960302-003",
            village="1960302",
            water_source="unprotected_well",
            head_name="Lê Thị An Mỹ",
        )[0]
    ]
    for number in range(EXTRA_POOR):
        groups = "nguoi_co_cong" if number == 0 else ""
        code = f"1960301-{100 + number:03d}"
        records.append(survey(POOR, household_code=code, groups=groups, head_name=code)[0])
    for xml in records:
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    session.commit()
    return site


def options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of the select named `name`."""
    select = re.search(rf'<select id="[^"]*" name="{name}">(.*?)</select>', html, re.S)
    assert select, f"no {name} picker"
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    return [
        (value, text.replace("\u00a0", " ").strip(), bool(chosen)) for value, chosen, text in found
    ]


def chosen(html: str, name: str) -> str:
    return next(value for value, _, selected in options(html, name) if selected)


TABLE_PAGES = (
    "/reports/summary",
    "/reports/followup",
    "/reports/commitments",
    "/lists/deficiencies",
    "/lists/due-visits",
    "/lists/relapse-risk",
    "/lists/exited",
    # The support plan's pages are tables too (web/tables._show): the same pickers.
    "/organisations",
    "/plans",
    "/plans/by-indicator",
    "/plans/by-organisation",
    "/plans/gap",
    "/plans/overdue",
    "/plans/organisation-households",
    "/plans/sponsored",
    "/plans/effect",
    "/commendation",
    "/commendation/approved",
    "/dialogues",
)


def test_every_table_page_offers_only_the_areas_of_the_persons_own_area_by_name(
    site: str,  # noqa: F811
) -> None:
    commune = signed_in(site, "tuyen@camlo.vn")
    for path in TABLE_PAGES:
        page = commune.get(path)
        assert page.status_code == 200, path
        areas = options(page.text, "area")
        assert areas == [("19603", "Xã Cam Tuyền", True)], path
    assert commune.get("/reports/summary?area=19612").status_code == 403
    assert commune.get("/lists/deficiencies?area=19612").status_code == 403
    assert commune.get("/lists/deficiencies?area=19603&village=1961201").status_code == 403

    district = signed_in(site, "huyen@camlo.vn")
    areas = options(district.get("/reports/summary").text, "area")
    assert areas[0] == ("468", "Huyện Cam Lộ", True)
    assert {("19603", "Xã Cam Tuyền"), ("19612", "Xã Cam Hiếu")} <= {(v, t) for v, t, _ in areas}
    assert all(not re.fullmatch(r"[0-9]+", text) for _, text, _ in areas), "names, never codes"
    assert "45" not in {v for v, _, _ in areas}, "nothing above the person's own area"


def test_the_year_picker_offers_every_year_with_data_and_opens_on_the_latest(
    site: str,  # noqa: F811
) -> None:
    district = signed_in(site, "huyen@camlo.vn")
    years = options(district.get("/reports/summary").text, "period")
    assert years == [("2026", "2026", True), ("2025", "2025", False)]
    assert chosen(district.get("/reports/summary?period=2025").text, "period") == "2025"


def test_the_chosen_area_and_year_follow_the_person_to_the_next_page_and_into_file_names(
    site: str,  # noqa: F811
) -> None:
    district = signed_in(site, "huyen@camlo.vn")
    assert district.get("/reports/summary?area=19603&period=2025").status_code == 200

    deficiencies = district.get("/lists/deficiencies").text
    assert (chosen(deficiencies, "area"), chosen(deficiencies, "period")) == ("19603", "2025")
    commitments = district.get("/reports/commitments").text
    assert chosen(commitments, "area") == "19603"
    assert chosen(district.get("/reports/followup").text, "area") == "19603"

    for path in ("/reports/summary?format=xlsx", "/lists/deficiencies?format=csv"):
        name = district.get(path).headers["Content-Disposition"]
        assert "19603" in name and "2025" in name, name
    vietnamese = district.get("/reports/summary?format=csv-vi").headers["Content-Disposition"]
    assert vietnamese.endswith('_19603_2025_excel-vi.csv"') or "excel-vi.csv" in vietnamese


def test_the_pledge_form_picks_its_area_from_the_persons_areas(site: str) -> None:  # noqa: F811
    page = signed_in(site, "huyen@camlo.vn").get("/reports/commitments?area=468").text
    pledge = re.search(r'<select id="area" name="area"[^>]*>(.*?)</select>', page, re.S)
    assert pledge, "the pledge form's area is a list"
    assert "Xã Cam Tuyền" in pledge.group(1) and 'value="19603"' in pledge.group(1)


def _cells(html: str) -> list[list[str]]:
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]


def test_numbers_on_the_pages_are_written_the_vietnamese_way_and_the_english_way(
    site: str,  # noqa: F811
) -> None:
    district = signed_in(site, "huyen@camlo.vn")
    machine = list(
        csv.reader(
            io.StringIO(
                district.get("/reports/summary?area=468&format=csv").content.decode("utf-8-sig")
            )
        )
    )
    total_residents = int(machine[-1][1])
    assert total_residents >= 1000, "a number with thousands"

    vi = _cells(district.get("/reports/summary?area=468&lang=vi").text)
    assert vi[-1][1] == f"{total_residents:,}".replace(",", ".")
    vi_rates = [c for row in vi for c in row if "%" in c]
    assert vi_rates and all(re.fullmatch(r"[0-9]{1,3},[0-9]\u00a0%", c) for c in vi_rates), vi_rates

    en = _cells(district.get("/reports/summary?area=468&lang=en").text)
    assert en[-1][1] == f"{total_residents:,}"
    en_rates = [c for row in en for c in row if "%" in c]
    assert en_rates and all(re.fullmatch(r"[0-9]{1,3}\.[0-9]%", c) for c in en_rates), en_rates

    listed = district.get("/lists/deficiencies?area=19603&period=2026&lang=vi").text
    assert "1.000.000\u00a0đồng" in listed
    assert "1,000,000\u00a0dong" in district.get("/lists/deficiencies?lang=en").text


def test_the_machine_csv_and_the_excel_tieng_viet_csv_read_back_to_the_same_numbers(
    site: str,  # noqa: F811
) -> None:
    district = signed_in(site, "huyen@camlo.vn")
    plain = district.get("/reports/summary?area=468&period=2026&format=csv")
    excel = district.get("/reports/summary?area=468&period=2026&format=csv-vi")
    assert plain.headers["Content-Disposition"].endswith('.csv"')
    assert excel.headers["Content-Disposition"].endswith('_excel-vi.csv"')
    assert excel.content.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads the Vietnamese"

    machine = list(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
    vietnamese = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    assert len(machine) == len(vietnamese) and machine[0] == vietnamese[0]
    decimals = 0
    for ours, theirs in zip(machine[1:], vietnamese[1:], strict=True):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            if re.fullmatch(r"[0-9]+\.[0-9]+", a):
                decimals += 1
                assert b == a.replace(".", ","), (a, b)
            else:
                assert a == b
    assert decimals, "the rates are written with a decimal mark"
    assert "CSV cho Excel tiếng Việt" in district.get("/reports/summary").text
    assert "máy đọc được" in district.get("/reports/summary").text


def _households(html: str) -> list[str]:
    return re.findall(r'<strong class="code">([^<]+)</strong>', html)


def test_the_action_list_shows_one_row_per_household_with_its_deficiencies_inside(
    lists_site: str,
) -> None:
    commune = signed_in(lists_site, "tuyen@camlo.vn")
    page = commune.get("/lists/deficiencies?area=19603&period=2026&village=1960302").text
    assert _households(page) == ["1960302-003"]
    row = re.search(r'<tr class="household">(.*?)</tr>', page, re.S)
    assert row
    needs = re.findall(r"<li><strong>([^<]+)</strong>", row.group(1))
    assert needs == ["Thu nhập dưới chuẩn", "Nguồn nước sinh hoạt"]

    # The download keeps one row per household × deficiency, and offers the household view.
    rows = list(
        csv.DictReader(
            io.StringIO(
                commune.get(
                    "/lists/deficiencies?area=19603&period=2026&village=1960302&format=csv"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert [r["Thiếu hụt"] for r in rows] == needs
    by_household = commune.get(
        "/lists/deficiencies?area=19603&period=2026&village=1960302&format=csv&view=households"
    )
    families = list(csv.DictReader(io.StringIO(by_household.content.decode("utf-8-sig"))))
    assert [f["Mã hộ"] for f in families] == ["1960302-003"]
    assert "Nguồn nước sinh hoạt" in families[0]["Thiếu hụt: hỗ trợ đề xuất (cơ quan phụ trách)"]


def test_the_action_list_filters_by_indicator_group_and_village(lists_site: str) -> None:
    commune = signed_in(lists_site, "tuyen@camlo.vn")
    base = "/lists/deficiencies?area=19603&period=2026"
    merit = _households(commune.get(f"{base}&group=merit").text)
    assert merit == ["1960301-100"]
    village = commune.get(f"{base}&village=1960301").text
    assert "1960302-003" not in _households(village)
    assert chosen(village, "village") == "1960301"
    water = commune.get(f"{base}&indicator=water_source").text
    assert "1960302-003" in _households(water)
    assert options(water, "indicator")[0][1] == "Mọi chỉ số thiếu hụt"


def test_the_action_list_is_paged_and_sorted_keeping_its_filters(lists_site: str) -> None:
    commune = signed_in(lists_site, "tuyen@camlo.vn")
    first = commune.get("/lists/deficiencies?area=19603&period=2026&sort=code").text
    second_link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert second_link, "a link to the next page"
    link = second_link.group(1).replace("&amp;", "&")
    assert "sort=code" in link and "area=19603" in link and "period=2026" in link
    second = commune.get(link).text
    one, two = _households(first), _households(second)
    assert len(one) == 50 and len(two) == EXTRA_POOR + 2 - 50
    assert one + two == sorted(one + two), "sorted by household code across pages"
    assert "57 hộ" in first
    assert "Trang 2 / 2" in second
