"""Household surveys and follow-up visits, posted over OpenRosa, land in the registry: the
server derives class and deficiencies itself, keeps corrections and conflicts straight, and
keeps records it cannot place out of the registry with a reason (never refusing them)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import ReviewState
from server.storage import registry as queries
from server.storage.models import FollowupVisit, Household, HouseholdReview, Submission
from tests.support.collect import CollectClient, parse_manifest
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.surveys import NEAR_POOR, NOT_POOR, POOR, members, survey, visit


@pytest.fixture
def phone(app: Flask, session: Session, live_server: LiveServer) -> CollectClient:
    make_areas(session)
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="19603")
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def review_of(session: Session, code: str, period: int = 2026) -> HouseholdReview | None:
    session.rollback()
    household = queries.find_household(session, code)
    return queries.find_review(session, household.id, period) if household else None


def submissions(session: Session) -> list[Submission]:
    session.rollback()
    return list(session.scalars(select(Submission).order_by(Submission.id)))


def test_a_reviewed_household_lands_in_the_registry_with_its_class_and_deficiencies(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(POOR)
    assert phone.post(xml).status_code == 201

    review = review_of(session, "1960301-001")
    assert review is not None
    assert (review.household_class, review.standard_code) == ("poor", "nd07_2022")
    assert review.income_per_person == 1_000_000
    assert queries.deficiencies_of(session, review.id) == {"water_source", "latrine", "internet"}
    assert review.deficiency_count == 3
    assert review.ethnic_minority and not review.urban
    assert review.phone_disagreement is None
    assert review.transition is None, "no review of 2025 in this village: a baseline"
    [submission] = submissions(session)
    assert submission.review_state == ReviewState.RECEIVED
    assert submission.issues is None


def test_the_server_recomputes_deficiencies_and_records_a_phone_that_disagrees(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(POOR, d_water_source=0, deficiency_count=2, provisional_class="near_poor")
    assert phone.post(xml).status_code == 201
    review = review_of(session, "1960301-001")
    assert review is not None
    assert review.household_class == "poor"
    assert "d_water_source: phone 0, server 1" in (review.phone_disagreement or "")
    assert "provisional_class: phone near_poor, server poor" in (review.phone_disagreement or "")


def test_a_corrected_record_replaces_the_review(phone: CollectClient, session: Session) -> None:
    first, first_id = survey(POOR)
    corrected, _ = survey(NOT_POOR, deprecated_id=first_id)
    assert phone.post(first).status_code == 201
    assert phone.post(corrected).status_code == 201

    review = review_of(session, "1960301-001")
    assert review is not None
    assert review.household_class == "not_poor"
    assert queries.deficiencies_of(session, review.id) == set()
    assert session.query(HouseholdReview).count() == 1


def test_two_different_records_for_one_household_and_period_are_kept_and_flagged(
    phone: CollectClient, session: Session
) -> None:
    assert phone.post(survey(POOR)[0]).status_code == 201
    assert phone.post(survey(NOT_POOR)[0]).status_code == 201

    review = review_of(session, "1960301-001")
    assert review is not None
    assert review.household_class == "poor", "the first record is not silently overwritten"
    assert review.conflict
    states = [(s.review_state, "1960301-001" in (s.issues or "")) for s in submissions(session)]
    assert states == [(ReviewState.HAS_ISSUES, True), (ReviewState.HAS_ISSUES, True)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"village": "9999999", "household_code": "9999999-001"}, "village"),
        ({"household_code": "1960302-001"}, "household_code"),
        ({"household_income_month": "nhiều lắm"}, "household_income_month"),
    ],
    ids=["unknown-village", "code-of-another-village", "income-not-a-number"],
)
def test_a_record_the_registry_cannot_place_is_stored_flagged_and_kept_out(
    phone: CollectClient, session: Session, overrides: dict[str, str], field: str
) -> None:
    xml, _ = survey(POOR, **overrides)
    response = phone.post(xml)

    assert response.status_code == 201, "a phone cannot repair a record; never bounce it"
    [submission] = submissions(session)
    assert submission.review_state == ReviewState.HAS_ISSUES
    assert field in (submission.issues or "")
    assert session.query(Household).count() == 0
    assert session.query(HouseholdReview).count() == 0


def test_movements_between_periods_are_derived_exited_newly_poor_and_relapsed(
    phone: CollectClient, session: Session
) -> None:
    history = {
        "1960301-001": (POOR, NOT_POOR, POOR),  # left poverty in 2025, poor again in 2026
        "1960301-002": (NOT_POOR, NOT_POOR, POOR),
        "1960301-003": (POOR, POOR, NOT_POOR),
        "1960301-004": (NEAR_POOR, NEAR_POOR, NEAR_POOR),
        "1960301-005": (NEAR_POOR, NOT_POOR, NEAR_POOR),  # near-poor, left it, back again
        "1960301-006": (NOT_POOR, NEAR_POOR, POOR),
    }
    for index, year in enumerate((2024, 2025, 2026)):
        for code, classes in history.items():
            xml, _ = survey(classes[index], household_code=code, review_year=year)
            assert phone.post(xml).status_code == 201

    def movements(code: str) -> list[str | None]:
        return [review_of(session, code, year).transition for year in (2024, 2025, 2026)]  # type: ignore[union-attr]

    assert movements("1960301-001") == [None, "exited", "relapsed"]
    assert movements("1960301-002") == [None, "unchanged", "newly_poor"]
    assert movements("1960301-003") == [None, "unchanged", "exited"]
    assert movements("1960301-004") == [None, "unchanged", "unchanged"]

    def near_poor_movements(code: str) -> list[str | None]:
        return [
            review_of(session, code, year).near_poor_transition  # type: ignore[union-attr]
            for year in (2024, 2025, 2026)
        ]

    assert near_poor_movements("1960301-005") == [None, "exited", "relapsed"]
    assert near_poor_movements("1960301-006") == [None, "newly_poor", "exited"]
    assert movements("1960301-006") == [None, "unchanged", "newly_poor"]
    assert near_poor_movements("1960301-004") == [None, "unchanged", "unchanged"]


def test_a_household_that_left_poverty_appears_on_its_areas_follow_up_list_and_a_visit_flags_risk(
    phone: CollectClient, session: Session, live_server: LiveServer
) -> None:
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):
        assert phone.post(survey(answers, review_year=year)[0]).status_code == 201
    elsewhere = make_app_user(session, name="Cán bộ Cam Hiếu", area_code="19612")

    def followup_list(client: CollectClient) -> list[str]:
        manifest = parse_manifest(
            client.get(f"{client.server_url}/forms/followup_visit/manifest").content
        )
        [entry] = [m for m in manifest if m["filename"] == "followup_households.csv"]
        return client.get(entry["downloadUrl"]).text.splitlines()

    rows = followup_list(phone)
    assert rows[1].startswith("1960301-001,1960301-001 — Hồ Văn Lợi — Thôn Bản Chùa,1960301,")
    other = CollectClient(f"{live_server.base_url}/v1/key/{elsewhere.token}/projects/1")
    assert followup_list(other) == ["name,label,village,head_name,exit_year"]

    assert (
        phone.post(visit("1960301-001", shocks="illness", relapse_risk="medium")).status_code == 201
    )
    session.rollback()
    household = queries.find_household(session, "1960301-001")
    assert household is not None
    assert household.relapse_risk
    assert household.relapse_reasons == "shock"
    [stored] = session.scalars(select(FollowupVisit)).all()
    assert stored.shocks == "illness"
    assert stored.months_since_exit == 0


def test_a_visit_to_a_household_not_in_the_registry_is_kept_out_with_a_reason(
    phone: CollectClient, session: Session
) -> None:
    assert phone.post(visit("1960301-404")).status_code == 201
    [submission] = submissions(session)
    assert submission.review_state == ReviewState.HAS_ISSUES
    assert "1960301-404" in (submission.issues or "")


def test_members_without_insurance_make_a_health_insurance_deficiency(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(NEAR_POOR, people=members(4, m_health_insurance="no"))
    assert phone.post(xml).status_code == 201
    review = review_of(session, "1960301-001")
    assert review is not None
    assert queries.deficiencies_of(session, review.id) == {"health_insurance"}
