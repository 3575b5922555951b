"""Random registries for the cross-checks of the tables' SQL against the pure reference
measures (server/domain): households with reviews over 2025-2027, their follow-up visits and
relapse flags, and pledges at every level of the area tree. Rows go straight into the tables
(no forms, no XML): the point is odd combinations, not realistic records."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.measures import ReviewFacts, summary_counts
from server.services.forms import ensure_default_project
from server.storage.models import (
    Area,
    AreaPlacement,
    Commitment,
    FollowupVisit,
    Form,
    Household,
    HouseholdReview,
    ReviewDeficiency,
    Submission,
)

INDICATORS = ("water_source", "latrine", "internet", "health_insurance")
CLASSES = ("poor", "near_poor", "middle", "not_poor", None)
MOVES = ("exited", "relapsed", "newly_poor", "unchanged", None)
Made = list[tuple[Area, HouseholdReview, set[str]]]


def random_registry(session: Session, seed: int) -> Made:
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


def random_followups(session: Session, seed: int, made: Made, edges: Sequence[date]) -> None:
    """Zero to three visits per household, many of them on or a day either side of one of
    `edges` (the 90-day limits the tables are tested at); a random relapse flag; and some
    reviews recorded in another village, as when a household moved."""
    rng = random.Random(seed)
    ensure_default_project(session)
    form = Form(project_id=1, xml_form_id="followup_visit", title="Thăm hộ")
    session.add(form)
    session.flush()
    villages = sorted({village.id for village, _, _ in made})
    households = sorted({review.household_id for _, review, _ in made})
    for review in (r for _, r, _ in made if rng.random() < 0.15):
        review.village_id = rng.choice(villages)
    for household_id in households:
        household = session.get(Household, household_id)
        assert household is not None
        household.relapse_risk = rng.random() < 0.3
        for number in range(rng.randint(0, 3)):
            submission = Submission(form_id=form.id, instance_id=f"uuid:v{household_id}-{number}")
            session.add(submission)
            session.flush()
            edge, offset = rng.choice(edges), rng.choice((-1, 0, 1, rng.randint(-400, 400)))
            session.add(
                FollowupVisit(
                    household_id=household_id,
                    submission_id=submission.id,
                    visit_date=edge + timedelta(days=offset),
                    at_risk=household.relapse_risk,
                )
            )
    session.flush()


def random_pledges(session: Session, seed: int, years: tuple[int, ...]) -> None:
    """Pledges on random areas of every level: a province's, a district's and its communes'
    together, villages' too, some of them 0."""
    rng = random.Random(seed)
    areas = list(session.scalars(select(Area).order_by(Area.id)))
    for year in years:
        for area in areas:
            if rng.random() < 0.35:
                pledged = rng.choice((0, rng.randint(1, 40)))
                session.add(Commitment(area_id=area.id, year=year, pledged=pledged))
    session.flush()


def children_of(session: Session, parent: Area) -> list[Area]:
    return list(session.scalars(select(Area).where(Area.parent_id == parent.id)))


def paths_in(session: Session, period: int) -> dict[int, str]:
    """Every area's path in the tree of list year `period`, read in Python: the placement
    with the earliest end on or after 1 January, else the current path."""
    paths = {area.id: area.path for area in session.scalars(select(Area))}
    earlier: dict[int, AreaPlacement] = {}
    for placement in session.scalars(select(AreaPlacement)):
        if placement.valid_to < date(period, 1, 1):
            continue
        known = earlier.get(placement.area_id)
        if known is None or placement.valid_to < known.valid_to:
            earlier[placement.area_id] = placement
    return paths | {area_id: placement.path for area_id, placement in earlier.items()}


def row_of(
    children: Sequence[Area], village: Area, paths: dict[int, str] | None = None
) -> int | None:
    """The id of the row (one of `children`) a village rolls up into, by its path in `paths`
    (else its current path)."""
    path = (paths or {}).get(village.id, village.path)
    return next((c.id for c in children if path.startswith(c.path)), None)


def summary_reference(
    session: Session, parent: Area, period: int, made: Made
) -> dict[object, dict[str, int]]:
    """The summary's counts per row below `parent`, each village placed where it hung in the
    tree of list year `period` (its placement before a reform, else its current path)."""
    children = children_of(session, parent)
    paths = paths_in(session, period)
    facts = [
        ReviewFacts(
            row_of(children, v, paths),
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
        if row_of(children, v, paths) is not None
    ]
    return summary_counts(facts, period, INDICATORS)
