"""The SQL of the summary tables: one grouped query per table, rolled up through the area tree.

A review counts for a row when its village lies under that row's area (materialised paths), so
any depth works: the villages of a commune, the communes of a district, the districts of a
province. Every count is defined once, with the criteria of the reviews it counts, in
server/domain/measures.py; this module turns those criteria into SQL (`criteria_condition`),
and the tests hold it to the reference implementation there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from server.domain.measures import Count, Criteria, summary_count_list
from server.storage.areas import VILLAGE_LEVELS
from server.storage.lists import last_visits
from server.storage.models import (
    Area,
    AreaHouseholds,
    Commitment,
    Household,
    HouseholdReview,
    ReviewDeficiency,
)
from server.storage.registry import MOVEMENT_COLUMNS, TRAIT_COLUMNS, latest_periods, recent_exits


@dataclass(frozen=True)
class AreaRow:
    area_id: int
    code: str
    name: str
    urban: bool
    residents: int | None
    residents_before: int | None
    counts: dict[str, int]


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def criteria_condition(criteria: Criteria, period: int) -> ColumnElement[bool]:
    """The reviews a count with these criteria counts in the summary of `period`, as SQL."""
    r = HouseholdReview
    year = period - 1 if criteria.previous_period else period
    conditions: list[ColumnElement[bool]] = [r.period == year]
    if len(criteria.classes) == 1:
        conditions.append(r.household_class == criteria.classes[0])
    elif criteria.classes:
        conditions.append(r.household_class.in_(criteria.classes))
    if criteria.movement is not None:
        moved = MOVEMENT_COLUMNS[criteria.movement.group]
        conditions.append(moved == criteria.movement.transition)
    conditions += [TRAIT_COLUMNS[trait].is_(True) for trait in criteria.traits]
    if criteria.deficient_in is not None:
        conditions.append(
            exists().where(
                ReviewDeficiency.review_id == r.id,
                ReviewDeficiency.indicator == criteria.deficient_in,
            )
        )
    return and_(*conditions)


def measure_columns(counts: Sequence[Count], period: int) -> list[ColumnElement[Any]]:
    """One labelled column per count, summed over the rows a query groups."""
    return [_count(criteria_condition(c.criteria, period)).label(c.key) for c in counts]


def summary_rows(
    session: Session, parent: Area, period: int, indicators: Sequence[str]
) -> list[AreaRow]:
    """One row per area directly below `parent`, with every count of the summary table."""
    row, village = aliased(Area), aliased(Area)
    counts = summary_count_list(indicators)
    measures = (
        select(row.id.label("area_id"), *measure_columns(counts, period))
        .join(village, village.path.startswith(row.path))
        .join(
            HouseholdReview,
            and_(
                HouseholdReview.village_id == village.id,
                HouseholdReview.period.in_((period - 1, period)),
            ),
        )
        .where(row.parent_id == parent.id, village.path.startswith(parent.path))
        .group_by(row.id)
        .subquery()
    )
    residents = _residents(parent, period)
    query = (
        select(Area, residents.c.now, residents.c.before, measures)
        .outerjoin(measures, measures.c.area_id == Area.id)
        .outerjoin(residents, residents.c.area_id == Area.id)
        .where(Area.parent_id == parent.id)
        .order_by(Area.name)
    )
    names = [count.key for count in counts]
    return [
        AreaRow(
            area.id,
            area.code,
            area.name,
            area.urban,
            now,
            before,
            {name: int(getattr(result, name) or 0) for name in names},
        )
        for result in session.execute(query)
        for area, now, before in [(result[0], result[1], result[2])]
    ]


def _residents(parent: Area, period: int) -> Any:
    """Resident households per row, summed over its villages, this year and the year before."""
    row, village = aliased(Area), aliased(Area)
    counts = AreaHouseholds
    return (
        select(
            row.id.label("area_id"),
            func.sum(case((counts.year == period, counts.households))).label("now"),
            func.sum(case((counts.year == period - 1, counts.households))).label("before"),
        )
        .join(village, village.path.startswith(row.path))
        .join(counts, counts.area_id == village.id)
        .where(
            row.parent_id == parent.id,
            village.path.startswith(parent.path),
            village.level.in_(VILLAGE_LEVELS),
            counts.year.in_((period - 1, period)),
        )
        .group_by(row.id)
        .subquery()
    )


@dataclass(frozen=True)
class FollowupRow:
    area_id: int
    name: str
    urban: bool
    exited: int
    visited: int
    at_risk: int


def followup_rows(
    session: Session, parent: Area, since_period: int, visited_after: date
) -> list[FollowupRow]:
    """Per area below `parent`: households out of poverty since `since_period` (counted at the
    village of their latest review), how many were visited after `visited_after`, how many
    are at risk. The meaning is in server/domain/followup_measures.py."""
    row, village = aliased(Area), aliased(Area)
    recent, latest = recent_exits(since_period), latest_periods()
    visits = last_visits().subquery()
    counts = (
        select(
            row.id.label("area_id"),
            func.count().label("exited"),
            _count(visits.c.last_visit > visited_after).label("visited"),
            _count(Household.relapse_risk.is_(True)).label("at_risk"),
        )
        .select_from(recent)
        .join(latest, latest.c.household_id == recent.c.household_id)
        .join(
            HouseholdReview,
            and_(
                HouseholdReview.household_id == latest.c.household_id,
                HouseholdReview.period == latest.c.period,
            ),
        )
        .join(Household, Household.id == recent.c.household_id)
        .outerjoin(visits, visits.c.household_id == Household.id)
        .join(village, village.id == HouseholdReview.village_id)
        .join(row, village.path.startswith(row.path))
        .where(row.parent_id == parent.id, village.path.startswith(parent.path))
        .group_by(row.id)
        .subquery()
    )
    query = (
        select(Area, counts.c.exited, counts.c.visited, counts.c.at_risk)
        .outerjoin(counts, counts.c.area_id == Area.id)
        .where(Area.parent_id == parent.id)
        .order_by(Area.name)
    )
    return [
        FollowupRow(
            area.id, area.name, area.urban, int(exited or 0), int(visited or 0), int(at_risk or 0)
        )
        for area, exited, visited, at_risk in session.execute(query)
    ]


def commitments_below(session: Session, parent: Area, year: int) -> dict[int, int]:
    """The pledge of each area directly below `parent` that has one: its own, else the sum of
    what the areas below it pledged, by the same rule (server/domain/pledges.py). In one query:
    the pledges in the row's subtree that no pledging area above them, within the row, covers."""
    row, pledging, above = aliased(Area), aliased(Area), aliased(Area)
    covering = aliased(Commitment)
    covered = (
        select(above.id)
        .join(covering, and_(covering.area_id == above.id, covering.year == year))
        .where(
            above.id != pledging.id,
            pledging.path.startswith(above.path),
            above.path.startswith(row.path),
        )
        .exists()
    )
    query = (
        select(row.id, func.sum(Commitment.pledged))
        .join(pledging, pledging.path.startswith(row.path))
        .join(Commitment, and_(Commitment.area_id == pledging.id, Commitment.year == year))
        .where(row.parent_id == parent.id, ~covered)
        .group_by(row.id)
    )
    return {area_id: int(total) for area_id, total in session.execute(query)}


def set_commitment(session: Session, area_id: int, year: int, pledged: int) -> None:
    existing = session.get(Commitment, (area_id, year))
    if existing is None:
        session.add(Commitment(area_id=area_id, year=year, pledged=pledged))
    else:
        existing.pledged = pledged


def pledge_of(session: Session, area_id: int, year: int) -> int | None:
    found = session.get(Commitment, (area_id, year))
    return found.pledged if found is not None else None


def latest_period(session: Session) -> int | None:
    """The most recent review year in the registry."""
    found: int | None = session.scalar(select(func.max(HouseholdReview.period)))
    return found


def periods_with_data(session: Session) -> list[int]:
    """Every review year that has reviews or pledges, newest first (the pages' year picker)."""
    reviewed = select(HouseholdReview.period.distinct())
    pledged = select(Commitment.year.distinct())
    years = set(session.scalars(reviewed)) | set(session.scalars(pledged))
    return sorted(years, reverse=True)
