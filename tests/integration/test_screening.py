"""Phiếu A records over OpenRosa on both databases: the outcome is decided by the server from
the answers (never the phone's), the latest record of a household and year replaces the
earlier one, and a record that breaks a rule is stored, flagged with the reason, and records
no screening."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.storage.models import HouseholdScreening, Submission
from tests.support.collect import CollectClient, instance_xml
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer

VERSION = "2026120404"


@pytest.fixture
def phone(app: Flask, session: Session, live_server: LiveServer) -> CollectClient:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_screening.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="19603")
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def screening(**changes: str) -> bytes:
    fields = {
        "review_year": "2027",
        "commune": "19603",
        "village": "1960301",
        "household_code": "1960301-061",
        "head_name": "Hồ Văn Lợi",
        "listed_or_applied": "no",
        "signs": "car",
        "screening_result": "clearly_not_poor",
        **changes,
    }
    return instance_xml("household_screening", VERSION, fields=fields)


def stored(session: Session) -> tuple[list[HouseholdScreening], list[Submission]]:
    session.rollback()
    rows = list(session.scalars(select(HouseholdScreening)))
    return rows, list(session.scalars(select(Submission).order_by(Submission.id)))


def test_the_server_decides_the_outcome_and_the_latest_record_replaces_the_earlier(
    phone: CollectClient, session: Session
) -> None:
    # The phone claims "clearly not poor" for a listed household: the server's rule decides.
    assert phone.post(screening(listed_or_applied="yes")).status_code == 201
    [row], _ = stored(session)
    assert (row.outcome, row.period, row.signs) == ("needs_survey", 2027, "car")
    assert phone.post(screening(signs="none", screening_result="needs_survey")).status_code == 201
    [row], submissions = stored(session)
    assert (row.outcome, row.signs, row.listed_or_applied) == ("needs_survey", "", False)
    assert row.submission_id == submissions[-1].id
    assert all(s.issues is None for s in submissions)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"village": "1969999", "household_code": "1969999-001"}, "no village '1969999'"),
        ({"household_code": "1960302-061"}, "is not 1960301-<number>"),
        ({"review_year": "2031"}, "2031"),
        ({"signs": "yacht"}, "unknown sign 'yacht'"),
    ],
)
def test_a_record_that_breaks_a_rule_is_kept_and_flagged_and_records_no_screening(
    phone: CollectClient, session: Session, changes: dict[str, str], reason: str
) -> None:
    assert phone.post(screening(**changes)).status_code == 201
    rows, [submission] = stored(session)
    assert rows == []
    assert reason in (submission.issues or "")
