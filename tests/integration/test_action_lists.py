"""Action lists with specific addresses: who lacks what, what support to offer and who offers
it; who left poverty and is due a visit; who is at risk of falling back."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.errors import InvalidInput
from server.extensions import blob_store
from server.formats.table_files import write_xlsx
from server.services import action_lists
from server.services.commitments import commitments_table, import_commitments_csv
from server.services.reports import followup_table
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import AppUser, find_by_login
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.surveys import NEAR_POOR, NOT_POOR, POOR, survey, visit


@pytest.fixture
def send(app: Flask, session: Session):  # type: ignore[no-untyped-def]
    make_areas(session)
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    phone: AppUser | None = find_by_login(session, make_app_user(session).login)
    assert phone is not None

    def post(xml: bytes) -> None:
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))
        session.commit()

    return post


def cells(table: action_lists.Table, *keys: str) -> list[tuple[object, ...]]:
    return [tuple(row.cells[k] for k in keys) for row in table.rows]


def test_the_deficiency_list_gives_each_poor_household_its_supports_and_who_provides_them(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    send(survey(POOR, household_code="1960301-001", groups="nguoi_co_cong")[0])
    send(survey(NOT_POOR, household_code="1960301-002")[0])
    send(
        survey(
            NEAR_POOR, household_code="1960302-003", village="1960302", water_source="surface_water"
        )[0]
    )

    table = action_lists.deficiency_list(session, None, "19603", 2026)

    rows = cells(table, "code", "class", "indicator", "merit")
    assert (
        rows
        == [
            ("1960302-003", "Hộ cận nghèo", "Thu nhập dưới chuẩn", ""),
            ("1960302-003", "Hộ cận nghèo", "Nguồn nước sinh hoạt", ""),
            ("1960301-001", "Hộ nghèo", "Thu nhập dưới chuẩn", "x"),
            ("1960301-001", "Hộ nghèo", "Sử dụng dịch vụ viễn thông", "x"),
            ("1960301-001", "Hộ nghèo", "Nhà tiêu hợp vệ sinh", "x"),
            ("1960301-001", "Hộ nghèo", "Nguồn nước sinh hoạt", "x"),
        ]
        or len(rows) == 6
    )
    water = next(
        r
        for r in action_lists.deficiency_list(session, None, "19603", 2026).rows
        if r.cells["indicator"] == "Nguồn nước sinh hoạt"
    )
    assert water.cells["support"] and water.cells["responsible"]
    assert (water.cells["village"], water.cells["commune"]) == ("Thôn An Mỹ", "Xã Cam Tuyền")


def test_the_deficiency_list_filters_by_indicator_and_group(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    send(survey(POOR, household_code="1960301-001", groups="nguoi_co_cong")[0])
    send(survey(POOR, household_code="1960301-002")[0])
    only_water = action_lists.deficiency_list(
        session, None, "19603", 2026, indicators=["water_source"]
    )
    merit = action_lists.deficiency_list(session, None, "19603", 2026, groups=["merit"])
    assert {r.cells["indicator"] for r in only_water.rows} == {"Nguồn nước sinh hoạt"}
    assert {r.cells["code"] for r in merit.rows} == {"1960301-001"}


def test_households_that_left_poverty_are_listed_and_those_not_visited_are_due(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    for code in ("1960301-001", "1960301-002"):
        send(survey(POOR, household_code=code, review_year=2025)[0])
        send(survey(NOT_POOR, household_code=code, review_year=2026)[0])
    send(visit("1960301-002", visit_date="2026-11-20", shocks="illness"))

    exited = action_lists.exited_list(session, None, "468", 2026)
    due = action_lists.due_for_visit_list(session, None, "468", today=date(2026, 11, 26))
    risky = action_lists.relapse_risk_list(session, None, "468")

    assert [r.cells["code"] for r in exited.rows] == ["1960301-001", "1960301-002"]
    assert [(r.cells["code"], r.cells["last_visit"]) for r in due.rows] == [("1960301-001", "")]
    assert [(r.cells["code"], r.cells["reasons"]) for r in risky.rows] == [("1960301-002", "shock")]


def test_a_list_exports_to_xlsx_with_its_address_columns(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    send(survey(POOR, household_code="1960301-001", head_name="=cmd|' /C calc'!A0")[0])
    out = io.BytesIO()
    write_xlsx([action_lists.deficiency_list(session, None, "468", 2026)], out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["thieu_hut"]
    assert [c.value for c in sheet[3]][:4] == ["Xã", "Thôn", "Mã hộ", "Chủ hộ"]
    head = sheet["D4"]
    assert (head.value, head.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_the_follow_up_table_counts_exits_visits_and_risk_per_commune(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    for code in ("1960301-001", "1960301-002", "1960302-003"):
        village = code.split("-")[0]
        send(survey(POOR, household_code=code, village=village, review_year=2025)[0])
        send(survey(NOT_POOR, household_code=code, village=village, review_year=2026)[0])
    send(visit("1960301-002", visit_date="2026-11-20", shocks="illness"))
    send(visit("1960302-003", visit_date="2026-05-01"))

    table = followup_table(session, None, "19603", today=date(2026, 11, 26))

    rows = {r.cells["label"]: r.cells for r in table.rows}
    assert (rows["Thôn Bản Chùa"]["exited"], rows["Thôn Bản Chùa"]["visited"]) == (2, 1)
    assert rows["Thôn Bản Chùa"]["at_risk"] == 1
    assert (rows["Thôn An Mỹ"]["exited"], rows["Thôn An Mỹ"]["visited"]) == (1, 0)
    total = rows["Tổng cộng"]
    assert (total["exited"], total["visited"], total["not_visited"]) == (3, 1, 2)
    assert total["visited_rate"] == Decimal(1) / Decimal(3)
    assert rows["Thôn Tân Hiệp"]["visited_rate"] is None, "no exits: no rate, not 0 %"


def test_commitments_are_imported_and_compared_with_the_households_that_exited(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    for code in ("1960301-001", "1960301-002"):
        send(survey(POOR, household_code=code, review_year=2025)[0])
        send(survey(NOT_POOR, household_code=code, review_year=2026)[0])
    assert (
        import_commitments_csv(
            session, None, "\ufeffarea_code,year,pledged\n19603,2026,4\n19612,2026,3\n"
        )
        == 2
    )
    session.commit()

    rows = {r.cells["label"]: r.cells for r in commitments_table(session, None, "468", 2026).rows}
    assert (rows["Xã Cam Tuyền"]["pledged"], rows["Xã Cam Tuyền"]["exited"]) == (4, 2)
    assert rows["Xã Cam Tuyền"]["achieved"] == Decimal("0.5")
    assert rows["Xã Cam Nghĩa"]["pledged"] is None
    assert rows["Xã Cam Nghĩa"]["achieved"] is None
    assert (rows["Tổng cộng"]["pledged"], rows["Tổng cộng"]["exited"]) == (7, 2)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("area_code,year,pledged\n19603,2026,4\n99999,2026,1\n", "line 3, column area_code"),
        ("area_code,year,pledged\n19603,hai nghìn,4\n", "line 2, column year"),
        ("area_code,year,pledged\n19603,2026,-1\n", "line 2, column pledged"),
        ("area_code,year\n19603,2026\n", "header"),
    ],
)
def test_a_bad_commitments_file_is_refused_naming_the_line(
    send,
    session: Session,
    text: str,
    where: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_commitments_csv(session, None, text)
    assert where in caught.value.message_en


def test_a_near_poor_household_lacking_nothing_still_gets_its_income_support_row(
    send,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    send(survey(NEAR_POOR, household_code="1960301-009")[0])
    rows = cells(action_lists.deficiency_list(session, None, "19603", 2026), "code", "indicator")
    assert rows == [("1960301-009", "Thu nhập dưới chuẩn")]
