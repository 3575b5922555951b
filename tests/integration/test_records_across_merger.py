"""Records posted over OpenRosa after the July 2025 reform are checked against the tree of
their list year: an old commune's code on a record of a list after the merger, or a village
that does not exist in the record's list year, is stored and flagged with the reason, never
counted under another unit; the old code is right on a record of the 2025 list."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.services.areas import import_areas_csv
from server.services.reform import import_reform_csv
from server.storage import registry as queries
from server.storage import reports
from server.storage.areas import find_area_by_code
from server.storage.common import begin_write
from server.storage.models import Area, HouseholdReview, Submission
from tests.support.collect import CollectClient
from tests.support.factories import (
    REFORM_CSV,
    make_app_user,
    make_areas_before_reform,
    publish_form,
)
from tests.support.live_server import LiveServer
from tests.support.registries import INDICATORS
from tests.support.surveys import POOR, survey

# Under Cam Tuyền (19603) before the reform, so moved to Xã Hiếu Giang (44603) with it: one
# village that ended with 2025, one that begins in mid-2026.
VILLAGES = (
    "code,name,level,parent_code,urban,valid_from,valid_to\n"
    "1960304,Thôn Cũ,village,19603,,,2025-12-31\n"
    "1960305,Thôn Mới,village,19603,,2026-07-01,\n"
)
# Founded after the reform under the new commune, which the 2025 tree does not have.
AFTER_REFORM = "code,name,level,parent_code,urban\n1960306,Thôn Lập Sau,village,44603,\n"


@pytest.fixture
def phone(app: Flask, session: Session, live_server: LiveServer) -> CollectClient:
    make_areas_before_reform(session)
    begin_write(session)
    import_areas_csv(session, VILLAGES)
    import_reform_csv(session, REFORM_CSV)
    import_areas_csv(session, AFTER_REFORM)
    session.commit()
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="44603")
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def issues(session: Session) -> list[str | None]:
    session.rollback()
    return [s.issues for s in session.scalars(select(Submission).order_by(Submission.id))]


def reviews(session: Session) -> list[HouseholdReview]:
    session.rollback()
    return list(session.scalars(select(HouseholdReview)))


def _area(session: Session, code: str) -> Area:
    area = find_area_by_code(session, code)
    assert area is not None, code
    return area


def test_a_2026_record_of_the_new_commune_is_counted_under_it(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(POOR, commune="44603")
    assert phone.post(xml).status_code == 201
    assert issues(session) == [None]
    [review] = reviews(session)
    assert review.household_class == "poor"
    rows = reports.summary_rows(session, _area(session, "44"), 2026, INDICATORS)
    poor = {row.name: row.counts["poor_end"] for row in rows}
    assert poor == {"Xã Cam Lộ": 0, "Xã Hiếu Giang": 1}


def test_an_old_communes_code_on_a_record_after_the_merger_is_stored_and_flagged(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(POOR, commune="19603")  # Cam Tuyền, merged into Hiếu Giang
    assert phone.post(xml).status_code == 201, "kept, never bounced"
    assert issues(session) == [
        "Xã Cam Tuyền (mã 19603) đã sáp nhập vào Xã Hiếu Giang từ ngày 2025-07-01; phiếu danh "
        "sách năm 2026 phải ghi đơn vị mới. Phiếu được lưu nhưng chưa phân loại. / Xã Cam Tuyền "
        "(code 19603) merged into Xã Hiếu Giang on 2025-07-01; a record of the 2026 list must "
        "name the new unit. The record is kept but not classified."
    ]
    assert reviews(session) == []


def test_the_old_code_is_right_on_a_record_of_the_2025_list_counted_under_the_old_commune(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(POOR, commune="19603", review_year=2025)
    assert phone.post(xml).status_code == 201
    assert issues(session) == [None]
    assert queries.find_household(session, "1960301-001") is not None
    rows = reports.summary_rows(session, _area(session, "468"), 2025, INDICATORS)
    assert {row.name: row.counts["poor_end"] for row in rows}["Xã Cam Tuyền"] == 1
    # …and the 2026 table starts Hiếu Giang with it.
    rows = reports.summary_rows(session, _area(session, "44"), 2026, INDICATORS)
    assert {row.name: row.counts["poor_start"] for row in rows}["Xã Hiếu Giang"] == 1


@pytest.mark.parametrize(
    ("village", "year", "why"),
    [
        (
            "1960304",
            2026,
            "Thôn Cũ (mã 1960304) không có trong danh sách năm 2026 (đã kết thúc ngày 2025-12-31)",
        ),
        (
            "1960305",
            2026,
            "Thôn Mới (mã 1960305) không có trong danh sách năm 2026 (có từ ngày 2026-07-01)",
        ),
        (
            "1960306",
            2025,
            "Xã Hiếu Giang (mã 44603) không có trong danh sách năm 2025 (có từ ngày 2025-07-01)",
        ),
    ],
)
def test_a_village_that_does_not_exist_in_the_records_list_year_is_stored_and_flagged(
    phone: CollectClient, session: Session, village: str, year: int, why: str
) -> None:
    xml, _ = survey(
        POOR, commune="44603", village=village, household_code=f"{village}-001", review_year=year
    )
    assert phone.post(xml).status_code == 201, "kept, never bounced"
    [flagged] = issues(session)
    assert flagged is not None and flagged.startswith(why), flagged
    assert "the record is kept but not classified" in flagged
    assert reviews(session) == []


def test_the_ended_village_is_still_right_for_its_own_last_list(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(
        POOR, commune="44603", village="1960304", household_code="1960304-001", review_year=2025
    )
    assert phone.post(xml).status_code == 201
    assert issues(session) == [None]
    assert len(reviews(session)) == 1
