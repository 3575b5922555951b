"""Everything in the registry can be derived again from the stored raw XML: `reclassify` gives
exactly what ingest gave (a property test over random households and periods)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.extensions import blob_store
from server.services.reclassify import reclassify
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.models import (
    FollowupVisit,
    Household,
    HouseholdReview,
    ReviewDeficiency,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from tests.conftest import TEST_SECRET
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.surveys import POOR, members, survey

HOME = st.fixed_dictionaries(
    {
        "household_income_month": st.integers(1_000_000, 14_000_000),
        "water_source": st.sampled_from(["piped", "unprotected_well", "surface_water"]),
        "latrine": st.sampled_from(["septic", "simple_pit", "none"]),
        "uses_internet": st.sampled_from(["yes", "no"]),
        "hears_loudspeaker": st.sampled_from(["yes", "no"]),
        "info_devices": st.sampled_from(["", "tv", "radio smartphone"]),
        "non_durable_parts": st.integers(0, 3),
        "floor_area_m2": st.integers(10, 120),
    }
)
RECORD = st.tuples(
    st.integers(1, 5),  # household number within the village
    st.sampled_from([2025, 2026]),
    st.sampled_from(["1960301", "1960302"]),
    HOME,
    st.sampled_from(["yes", "no"]),  # the spouse's health insurance
)


def _registry(session: Session) -> set[tuple[object, ...]]:
    session.flush()
    rows = session.execute(
        select(Household.code, HouseholdReview).join(
            HouseholdReview, HouseholdReview.household_id == Household.id
        )
    )
    return {
        (
            code,
            r.period,
            r.submission_id,
            r.household_class,
            r.transition,
            r.income_per_person,
            r.deficiency_count,
            r.conflict,
            tuple(
                sorted(
                    session.scalars(
                        select(ReviewDeficiency.indicator).where(ReviewDeficiency.review_id == r.id)
                    )
                )
            ),
        )
        for code, r in rows
    } | {(s.id, s.review_state, s.issues) for s in session.scalars(select(Submission))}


def _forget_records(session: Session) -> None:
    for table in (
        ReviewDeficiency,
        HouseholdReview,
        FollowupVisit,
        Household,
        SubmissionAttachment,
        SubmissionVersion,
        Submission,
    ):
        session.execute(delete(table))
    session.commit()


@pytest.fixture
def ready(app: Flask, session: Session) -> str:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    return make_app_user(session, name="Máy thử").login


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(RECORD, min_size=1, max_size=8))
def test_reclassifying_from_the_raw_xml_gives_what_ingest_gave(
    app: Flask,
    session: Session,
    ready: str,
    records: list[tuple],  # type: ignore[type-arg]
) -> None:
    _forget_records(session)
    phone = find_by_login(session, ready)
    assert phone is not None
    for number, year, village, home, insured in records:
        xml, _ = survey(
            {**POOR, **home},
            review_year=year,
            village=village,
            household_code=f"{village}-{number}",
            people=members(3, m_health_insurance="yes")[:1]
            + members(3, m_health_insurance=insured)[1:],
        )
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))
    ingested = _registry(session)

    for period in (2025, 2026):
        reclassify(session, period)

    assert _registry(session) == ingested
    session.commit()


def test_the_reclassify_command_reports_what_it_derived(
    app: Flask, session: Session, ready: str, database_url: str, data_dir: Path
) -> None:
    phone = find_by_login(session, ready)
    assert phone is not None
    for number in (1, 2, 3):
        xml, _ = survey(POOR, household_code=f"1960301-{number}")
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))
    session.commit()

    env = {
        **os.environ,
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
    }
    result = subprocess.run(
        [sys.executable, "-m", "server", "reclassify", "--period", "2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert "period 2026: 3 records, 3 household reviews" in result.stdout
