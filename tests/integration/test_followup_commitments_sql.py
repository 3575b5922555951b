"""The follow-up and commitments tables' SQL against the pure reference measures
(server/domain/followup_measures.py, server/domain/pledges.py) on random registries, at every
level of the tree, with a village moved to another commune first."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.followup_measures import (
    HouseholdFollowup,
    ReviewMovement,
    followup_counts,
    followup_window,
)
from server.domain.pledges import rolled_up_pledge
from server.formats.tables import RowKind, rate
from server.services.areas import move_area
from server.services.commitments import commitments_table
from server.storage import reports
from server.storage.areas import find_area_by_code
from server.storage.models import Area, Commitment, FollowupVisit, Household
from tests.support.factories import make_areas
from tests.support.registries import (
    Made,
    children_of,
    random_followups,
    random_pledges,
    random_registry,
    row_of,
    summary_reference,
)

# Windows that start at each review year of the random registries, and one past them all.
TODAYS = (date(2027, 3, 1), date(2028, 12, 31), date(2029, 1, 1), date(2030, 6, 30))
PARENTS = ["45", "468", "19603", "19600"]


def move_a_village(session: Session, seed: int) -> None:
    rng = random.Random(seed)
    villages = list(session.scalars(select(Area).where(Area.level == "village").order_by(Area.id)))
    communes = list(session.scalars(select(Area).where(Area.level == "commune").order_by(Area.id)))
    village = rng.choice(villages)
    move_area(
        session, village.code, rng.choice([c for c in communes if c.id != village.parent_id]).code
    )
    session.flush()


def followup_reference(
    session: Session, parent: Area, made: Made, today: date
) -> dict[object, dict[str, int]]:
    children = children_of(session, parent)
    reviews: dict[int, list[ReviewMovement]] = defaultdict(list)
    latest_village: dict[int, tuple[int, int]] = {}
    for _, review, _ in made:
        h = review.household_id
        reviews[h].append(ReviewMovement(review.period, review.household_class, review.transition))
        if h not in latest_village or latest_village[h][0] < review.period:
            latest_village[h] = (review.period, review.village_id)
    last_visit: dict[int, date] = {}
    for visit in session.scalars(select(FollowupVisit)):
        seen = last_visit.get(visit.household_id)
        last_visit[visit.household_id] = max(visit.visit_date, seen or visit.visit_date)
    households = []
    for h, movements in reviews.items():
        village = session.get(Area, latest_village[h][1])
        household = session.get(Household, h)
        assert village is not None and household is not None
        area = row_of(children, village)
        if area is not None:
            households.append(
                HouseholdFollowup(area, tuple(movements), last_visit.get(h), household.relapse_risk)
            )
    return followup_counts(households, followup_window(today))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("parent_code", PARENTS)
def test_the_follow_up_sql_counts_what_the_reference_counts(
    session: Session, seed: int, parent_code: str
) -> None:
    make_areas(session)
    made = random_registry(session, seed)
    random_followups(session, seed, made, [followup_window(t).visited_after for t in TODAYS])
    move_a_village(session, seed)
    parent = find_area_by_code(session, parent_code)
    assert parent is not None
    for today in TODAYS:
        window = followup_window(today)
        expected = followup_reference(session, parent, made, today)
        rows = reports.followup_rows(session, parent, window.since_period, window.visited_after)
        got = {
            r.area_id: {"exited": r.exited, "visited": r.visited, "at_risk": r.at_risk}
            for r in rows
            if r.exited
        }
        assert got == expected, today
    session.rollback()


def _exists_in(area: Area, year: int) -> bool:
    """An area belongs in the tables of list year `year` unless it began after 1 January of
    that year or ended before the year the start-of-year column reads."""
    begun = area.valid_from is None or area.valid_from <= date(year, 1, 1)
    return begun and (area.valid_to is None or area.valid_to.year >= year - 1)


def commitments_reference(
    session: Session, parent: Area, year: int, made: Made
) -> dict[str, tuple[int | None, int]]:
    """{row label: (pledged, exited)} for every row below `parent`, and the total."""
    areas = list(session.scalars(select(Area)))
    children: dict[object, list[object]] = defaultdict(list)
    for area in areas:
        children[area.parent_id].append(area.id)
    query = select(Commitment).where(Commitment.year == year)
    pledges: dict[object, int] = {c.area_id: c.pledged for c in session.scalars(query)}
    exits = summary_reference(session, parent, year, made)
    expected = {
        area.name: (
            rolled_up_pledge(area.id, pledges, children),
            exits.get(area.id, {}).get("poor_exited", 0),
        )
        for area in children_of(session, parent)
        if _exists_in(area, year)
    }
    total_exited = sum(exited for _, exited in expected.values())
    expected["Tổng cộng"] = (rolled_up_pledge(parent.id, pledges, children), total_exited)
    return expected


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("parent_code", [*PARENTS, "1960301"])
def test_the_commitments_table_shows_what_the_reference_pledges_and_counts(
    session: Session, seed: int, parent_code: str
) -> None:
    make_areas(session)
    made = random_registry(session, seed)
    random_pledges(session, seed, (2026, 2027))
    move_a_village(session, seed)
    parent = find_area_by_code(session, parent_code)
    assert parent is not None
    for year in (2026, 2027):
        expected = commitments_reference(session, parent, year, made)
        table = commitments_table(session, None, parent_code, year)
        got = {r.cells["label"]: (r.cells["pledged"], r.cells["exited"]) for r in table.rows}
        assert got == expected
        for row in table.rows:
            pledged, exited = expected[str(row.cells["label"])]
            assert row.cells["achieved"] == rate(exited, pledged)
        assert table.rows[-1].kind is RowKind.TOTAL
    session.rollback()
