"""The follow-up and commitments tables on a small registry checked by hand: a household that
stayed out of poverty a year after it left, one that relapsed, a village moved between
communes, an exit that ages out of the 36 months, a visit on the 90-day edge, communes with no
households, pledges made at several levels, and rates shown as "—" where there is nothing to
divide by."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.followup_measures import followup_window
from server.extensions import blob_store
from server.formats.table_files import csv_bytes
from server.formats.tables import Table
from server.services.action_lists import due_for_visit_list
from server.services.areas import move_area
from server.services.commitments import commitments_table, set_commitment
from server.services.reports import followup_table
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.registry import recently_exited
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.surveys import NEAR_POOR, NOT_POOR, POOR, survey, visit

YEARS = (2023, 2024, 2025, 2026)
# household code: classes in 2023, 2024, 2025, 2026 (None: not reviewed that year)
HISTORY = {
    "1960301-001": (None, POOR, NOT_POOR, NOT_POOR),  # exited 2025, stayed out in 2026
    "1960301-002": (None, None, POOR, NOT_POOR),  # exited 2026
    "1960301-003": (None, POOR, NOT_POOR, POOR),  # exited 2025, relapsed 2026
    "1960303-001": (None, None, POOR, NOT_POOR),  # exited 2026; its village moves to Cam Thành
    "1961201-001": (None, POOR, NOT_POOR, None),  # exited 2025, not reviewed in 2026
    "1961202-001": (POOR, NOT_POOR, NOT_POOR, NOT_POOR),  # exited 2024
    "1960001-001": (None, None, NEAR_POOR, NEAR_POOR),  # a quarter of the town: never poor
}
VISITS = (
    ("1960301-001", "2026-10-17"),  # exactly 90 days before TODAY: not within them
    ("1960301-002", "2026-12-01", "illness"),  # recent, and a shock: at risk
    ("1960303-001", "2026-10-01"),
)
TODAY = date(2027, 1, 15)  # window: exits of 2024 or later, visits after 2026-10-17


@pytest.fixture
def registry(app: Flask, session: Session) -> Session:
    make_areas(session)
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    phone = find_by_login(session, make_app_user(session).login)
    assert phone is not None

    def send(xml: bytes) -> None:
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))
        session.commit()

    for code, classes in HISTORY.items():
        village = code.split("-")[0]
        for year, answers in zip(YEARS, classes, strict=True):
            if answers is not None:
                send(
                    survey(
                        answers,
                        household_code=code,
                        village=village,
                        commune=village[:5],
                        review_year=year,
                    )[0]
                )
    for code, day, *shocks in VISITS:
        send(visit(code, visit_date=day, shocks=" ".join(shocks)))
    move_area(session, "1960303", "19621")
    session.commit()
    return session


def rows(table: Table, *keys: str) -> dict[object, tuple[object, ...]]:
    return {r.cells["label"]: tuple(r.cells[k] for k in keys) for r in table.rows}


FOLLOWUP = ("exited", "visited", "not_visited", "visited_rate", "at_risk")


def test_the_follow_up_table_counts_households_still_out_of_poverty_per_commune(
    registry: Session,
) -> None:
    table = rows(followup_table(registry, None, "468", today=TODAY), *FOLLOWUP)
    # 001 (left in 2025, not poor in 2026) and 002; 003 relapsed; Tân Hiệp moved away.
    assert table["Xã Cam Tuyền"] == (2, 1, 1, Decimal(1) / 2, 1)
    assert table["Xã Cam Thành"] == (1, 0, 1, 0, 0)
    assert table["Xã Cam Hiếu"] == (2, 0, 2, 0, 0)  # the 2025 and the 2024 exit
    assert table["Xã Cam Nghĩa"] == (0, 0, 0, None, 0), "no households: zeros, rate unknown"
    assert table["Thị trấn Cam Lộ"] == (0, 0, 0, None, 0)
    assert table["Tổng cộng"] == (5, 1, 4, Decimal(1) / 5, 1)


def test_an_exit_leaves_the_follow_up_table_after_36_months(registry: Session) -> None:
    a_year_later = rows(followup_table(registry, None, "468", today=date(2028, 1, 2)), *FOLLOWUP)
    assert a_year_later["Xã Cam Hiếu"] == (1, 0, 1, 0, 0)  # the 2024 exit is over 36 months old
    assert a_year_later["Tổng cộng"][:2] == (4, 0)


def test_the_due_visit_list_agrees_with_the_follow_up_table(registry: Session) -> None:
    due = due_for_visit_list(registry, None, "468", today=TODAY)
    listed = {r.cells["code"]: (r.cells["exit_year"], r.cells["last_visit"]) for r in due.rows}
    assert listed == {
        "1960301-001": ("2025", "2026-10-17"),
        "1960303-001": ("2026", "2026-10-01"),
        "1961201-001": ("2025", ""),
        "1961202-001": ("2024", ""),
    }


def test_the_phones_follow_up_households_are_the_same_households(registry: Session) -> None:
    window = followup_window(TODAY)
    listed = recently_exited(registry, None, window.since_period)
    assert {(h.code, h.exit_period) for h in listed} == {
        ("1960301-001", 2025),
        ("1960301-002", 2026),
        ("1960303-001", 2026),
        ("1961201-001", 2025),
        ("1961202-001", 2024),
    }


def test_the_follow_up_table_of_a_commune_has_a_row_per_village(registry: Session) -> None:
    table = rows(followup_table(registry, None, "19603", today=TODAY), "exited", "visited")
    assert table == {
        "Thôn Bản Chùa": (2, 1),
        "Thôn An Mỹ": (0, 0),
        "Tổng cộng": (2, 1),
    }, "Tân Hiệp now belongs to Cam Thành"


COMMITMENTS = ("pledged", "exited", "achieved")


def test_pledges_are_compared_with_the_exits_of_the_year_per_commune(registry: Session) -> None:
    for code, pledged in (
        ("468", 10),  # the district's own target, not added to its communes'
        ("19603", 3),
        ("1960303", 2),  # a village's pledge goes along when the village moves
        ("19612", 1),
        ("1961201", 5),  # the commune pledged itself: its village's pledge is not added
        ("19615", 0),
    ):
        set_commitment(registry, None, code, 2026, pledged)
    registry.commit()

    table = rows(commitments_table(registry, None, "468", 2026), *COMMITMENTS)

    assert table["Xã Cam Tuyền"] == (3, 1, Decimal(1) / 3)  # 002; 003 relapsed, 001 unchanged
    assert table["Xã Cam Thành"] == (2, 1, Decimal(1) / 2)
    assert table["Xã Cam Hiếu"] == (1, 0, 0)
    assert table["Xã Cam Chính"] == (0, 0, None), "pledged 0: no rate"
    assert table["Xã Cam Nghĩa"] == (None, 0, None), "no pledge, no households"
    assert table["Tổng cộng"] == (10, 2, Decimal(2) / 10)
    text = csv_bytes(commitments_table(registry, None, "468", 2026)).decode("utf-8-sig")
    assert "Xã Cam Chính,0,0,—" in text.splitlines()


def test_without_a_pledge_at_any_level_the_total_pledge_is_unknown(registry: Session) -> None:
    table = rows(commitments_table(registry, None, "468", 2025), *COMMITMENTS)
    assert table["Xã Cam Tuyền"] == (None, 2, None)  # 001 and 003 left poverty in 2025
    assert table["Xã Cam Hiếu"] == (None, 1, None)
    assert table["Tổng cộng"] == (None, 3, None)
