"""The review summary on a small registry checked by hand: movements, an area with no
households, an area with no resident count, a village moved between communes, blocks and
totals, rates over resident households."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.errors import Forbidden
from server.extensions import blob_store
from server.formats.table_files import csv_bytes
from server.formats.tables import RowKind, Table
from server.services.areas import move_area
from server.services.reports import review_summary
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.areas import find_area_by_code
from server.storage.models import Area, AreaHouseholds
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.surveys import NEAR_POOR, NOT_POOR, POOR, survey

# household code: classes in 2024, 2025, 2026 (None: not reviewed that year)
HISTORY = {
    "1960301-001": (None, POOR, POOR),  # stays poor
    "1960301-002": (None, POOR, NOT_POOR),  # exits
    "1960301-003": (None, NEAR_POOR, POOR),  # newly poor; leaves near-poverty
    "1960301-004": (POOR, NOT_POOR, POOR),  # exited in 2025, relapsed in 2026
    "1960303-001": (None, POOR, POOR),  # its village moves from Cam Tuyền to Cam Thành
    "1961201-001": (None, None, POOR),  # Cam Hiếu's first review: a baseline, no movement
    "1960001-001": (None, None, NEAR_POOR),  # a quarter of the town (urban)
}


@pytest.fixture
def summary(app: Flask, session: Session) -> Table:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    phone = find_by_login(session, make_app_user(session).login)
    assert phone is not None
    for code, classes in HISTORY.items():
        village = code.split("-")[0]
        commune = village[:5]
        for year, answers in zip((2024, 2025, 2026), classes, strict=True):
            if answers is not None:
                xml, _ = survey(
                    answers,
                    household_code=code,
                    village=village,
                    commune=commune,
                    review_year=year,
                    ethnicity="kinh" if code[-1] == "3" else "bru_van_kieu",
                )
                receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))
    move_area(session, "1960303", "19621")
    session.commit()
    return review_summary(session, None, "468", 2026)


def row(table: Table, label: str) -> dict[str, object]:
    return next(dict(r.cells) for r in table.rows if r.cells.get("label") == label)


def residents(session: Session, *villages: str, year: int = 2026) -> int:
    total = 0
    for code in villages:
        area = find_area_by_code(session, code)
        assert area is not None
        total += session.get(AreaHouseholds, (area.id, year)).households  # type: ignore[union-attr]
    return total


def test_movements_of_the_poor_in_a_commune(summary: Table, session: Session) -> None:
    tuyen = row(summary, "Xã Cam Tuyền")
    assert tuyen["poor_start"] == 2  # 001 and 002 (the moved village's household went along)
    assert (tuyen["poor_exited"], tuyen["poor_relapsed"], tuyen["poor_new"]) == (1, 1, 1)
    assert tuyen["poor_end"] == 3  # 001, 003, 004
    assert tuyen["poor_end_em"] == 2  # 003 is Kinh
    assert (tuyen["near_start"], tuyen["near_exited"], tuyen["near_end"]) == (1, 1, 0)
    assert tuyen["deficient_water_source"] == 3
    now = residents(session, "1960301", "1960302")
    assert tuyen["residents"] == now
    assert tuyen["poor_end_rate"] == Decimal(3) / Decimal(now)
    assert tuyen["poor_start_rate"] == Decimal(2) / Decimal(
        residents(session, "1960301", "1960302", year=2025)
    )


def test_a_moved_village_brings_its_households_to_its_new_commune(summary: Table) -> None:
    thanh = row(summary, "Xã Cam Thành")
    assert (thanh["poor_start"], thanh["poor_end"]) == (1, 1)


def test_a_first_review_is_a_baseline_without_movements(summary: Table) -> None:
    hieu = row(summary, "Xã Cam Hiếu")
    assert hieu["poor_end"] == 1
    assert (hieu["poor_new"], hieu["poor_exited"], hieu["poor_start"]) == (0, 0, 0)


def test_an_area_without_households_shows_zeros_and_one_without_residents_shows_unknown(
    summary: Table, session: Session
) -> None:
    nghia = row(summary, "Xã Cam Nghĩa")
    assert nghia["poor_end"] == 0
    assert nghia["poor_end_rate"] == 0
    # Cam Chính's resident households of 2026 are not known: its rates are unknown, not 0.
    chinh = find_area_by_code(session, "19615")
    assert chinh is not None
    within = select(Area.id).where(Area.path.startswith(chinh.path))
    session.execute(delete(AreaHouseholds).where(AreaHouseholds.area_id.in_(within)))
    unknown = row(review_summary(session, None, "468", 2026), "Xã Cam Chính")
    assert unknown["residents"] is None
    assert unknown["poor_end_rate"] is None
    session.rollback()


def test_communes_merged_before_a_period_are_left_out_or_shown_once_with_their_successor(
    summary: Table, session: Session
) -> None:
    labels = [str(r.cells["label"]) for r in summary.rows]
    # Cam Thanh and Cam An joined Thanh An on 1 Jan 2020: not in the 2026 table at all.
    assert not [label for label in labels if "Cam An" in label or "Cam Thanh" in label]
    assert "Xã Thanh An" in labels
    # The 2020 list's start-of-year column reads 2019, when they still existed: shown once each,
    # marked with their successor, in both languages.
    labels_2020 = [r.cells["label"] for r in review_summary(session, None, "468", 2020).rows]
    merged = [label for label in labels_2020 if "Cam An" in str(label)]
    assert merged == ["Xã Cam An (đã sáp nhập vào Xã Thanh An)"]
    assert merged[0].text("en") == "Xã Cam An (merged into Xã Thanh An)"  # type: ignore[union-attr]
    assert sum("Cam Thanh (" in str(label) for label in labels_2020) == 1


def test_urban_and_rural_blocks_have_subtotals_and_a_total(summary: Table) -> None:
    kinds = [(r.kind, r.cells["label"]) for r in summary.rows if r.kind is not RowKind.ITEM]
    assert kinds == [
        (RowKind.BLOCK, "Khu vực thành thị"),
        (RowKind.SUBTOTAL, "Cộng khu vực thành thị"),
        (RowKind.BLOCK, "Khu vực nông thôn"),
        (RowKind.SUBTOTAL, "Cộng khu vực nông thôn"),
        (RowKind.TOTAL, "Tổng cộng"),
    ]
    total = row(summary, "Tổng cộng")
    assert total["poor_end"] == 5
    assert total["near_end"] == 1
    assert row(summary, "Cộng khu vực thành thị")["near_end"] == 1
    assert total["residents"] == sum(
        r.cells["residents"] or 0
        for r in summary.rows
        if r.kind is RowKind.ITEM  # type: ignore[operator]
    )


def test_the_block_subtotal_and_total_labels_follow_the_reader_s_language(summary: Table) -> None:
    english = csv_bytes(summary, "en").decode("utf-8-sig")
    vietnamese = csv_bytes(summary, "vi").decode("utf-8-sig")
    labels = [line[0] for line in csv.reader(io.StringIO(english)) if line]
    assert {"Urban", "Urban, subtotal", "Rural", "Rural, subtotal", "Total"} <= set(labels)
    assert "Tổng cộng" not in english and "Khu vực" not in english
    assert "Tổng cộng" in vietnamese and "Cộng khu vực nông thôn" in vietnamese


def test_a_viewer_cannot_open_an_area_outside_their_own(app: Flask, session: Session) -> None:
    make_areas(session)
    scope = find_area_by_code(session, "19603")
    with pytest.raises(Forbidden):
        review_summary(session, scope, "19612", 2026)
    table = review_summary(session, scope, "19603", 2026)
    assert [r.cells["label"] for r in table.rows if r.kind is RowKind.ITEM] == [
        "Thôn An Mỹ",
        "Thôn Bản Chùa",
        "Thôn Tân Hiệp",
    ]
