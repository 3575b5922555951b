"""The summary's SQL against the reference implementation of every measure, on random
registries, at every level of the tree (province › district › commune › village)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.measures import ReviewFacts, summary_counts
from server.services.forms import ensure_default_project
from server.storage import reports
from server.storage.areas import find_area_by_code
from server.storage.models import (
    Area,
    Form,
    Household,
    HouseholdReview,
    ReviewDeficiency,
    Submission,
)
from tests.support.factories import make_areas

INDICATORS = ("water_source", "latrine", "internet", "health_insurance")
CLASSES = ("poor", "near_poor", "middle", "not_poor", None)
MOVES = ("exited", "relapsed", "newly_poor", "unchanged", None)


def random_registry(session: Session, seed: int) -> list[tuple[Area, HouseholdReview, set[str]]]:
    rng = random.Random(seed)
    ensure_default_project(session)
    form = Form(project_id=1, xml_form_id="household_survey", title="Rà soát")
    session.add(form)
    session.flush()
    villages = list(session.scalars(select(Area).where(Area.level.in_(("village", "quarter")))))
    made = []
    for number in range(rng.randint(20, 120)):
        village = rng.choice(villages)
        household = Household(
            code=f"{village.code}-{number}", village_id=village.id, head_name="Chủ hộ"
        )
        session.add(household)
        session.flush()
        for period in rng.sample((2025, 2026, 2027), rng.randint(1, 3)):
            submission = Submission(form_id=form.id, instance_id=f"uuid:{number}-{period}")
            session.add(submission)
            session.flush()
            review = HouseholdReview(
                household_id=household.id,
                period=period,
                submission_id=submission.id,
                village_id=village.id,
                urban=village.urban,
                standard_code="nd07_2022",
                income_per_person=1_000_000,
                deficiency_count=0,
                household_class=rng.choice(CLASSES),
                transition=rng.choice(MOVES),
                near_poor_transition=rng.choice(MOVES),
                members=4,
                ethnic_minority=rng.random() < 0.4,
                merit=rng.random() < 0.1,
                social_protection=rng.random() < 0.1,
            )
            session.add(review)
            session.flush()
            deficient = {i for i in INDICATORS if rng.random() < 0.4}
            session.add_all(ReviewDeficiency(review_id=review.id, indicator=i) for i in deficient)
            made.append((village, review, deficient))
    session.flush()
    return made


def reference(
    session: Session, parent: Area, period: int, made: list[tuple[Area, HouseholdReview, set[str]]]
) -> dict[object, dict[str, int]]:
    children = session.scalars(select(Area).where(Area.parent_id == parent.id)).all()

    def row_of(village: Area) -> int | None:
        return next((c.id for c in children if village.path.startswith(c.path)), None)

    facts = [
        ReviewFacts(
            row_of(v),
            r.period,
            r.household_class,
            r.transition,
            r.near_poor_transition,
            r.ethnic_minority,
            r.merit,
            r.social_protection,
            frozenset(d),
        )
        for v, r, d in made
        if row_of(v) is not None
    ]
    return summary_counts(facts, period, INDICATORS)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("parent_code", ["45", "468", "19603", "19600"])
def test_the_summary_sql_counts_what_the_reference_counts(
    session: Session, seed: int, parent_code: str
) -> None:
    make_areas(session)
    made = random_registry(session, seed)
    parent = find_area_by_code(session, parent_code)
    assert parent is not None
    for period in (2026, 2027):
        expected = reference(session, parent, period, made)
        rows = reports.summary_rows(session, parent, period, INDICATORS)
        got = {row.area_id: row.counts for row in rows if any(row.counts.values())}
        assert got == {area: counts for area, counts in expected.items() if any(counts.values())}
    session.rollback()
