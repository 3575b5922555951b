"""The SQL of the summary tables: one grouped query per table, rolled up through the area tree.

A review counts for a row when its village lies under that row's area (materialised paths, as
the tree was in the table's list year: `areas.path_in`), so
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

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.measures import Count, Criteria, summary_count_list
from server.storage.areas import VILLAGE_LEVELS, path_in, successor_names
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
    merged_into: tuple[str, ...] = ()  # an area ended before the period: its successors


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
    session: Session,
    parent: Area,
    period: int,
    indicators: Sequence[str],
    *,
    by_urban: bool = True,
) -> list[AreaRow]:
    """One row per area directly below `parent` that exists in `period`, with every count of
    the summary table. `by_urban`: an area whose villages are urban and rural gives a row for
    each (a province's districts in the urban and the rural block, as Vietnamese summaries
    have them); otherwise one row, with the area's own flag."""
    row, village = aliased(Area), aliased(Area)
    counts = summary_count_list(indicators)
    urban = village.urban if by_urban else row.urban
    measures = (
        select(row.id, urban, *measure_columns(counts, period))
        .select_from(row)
        .join(village, path_in(village, period).startswith(row.path))
        .join(
            HouseholdReview,
            and_(
                HouseholdReview.village_id == village.id,
                HouseholdReview.period.in_((period - 1, period)),
            ),
        )
        .where(row.parent_id == parent.id, path_in(village, period).startswith(parent.path))
        .group_by(row.id, urban)
    )
    names = [count.key for count in counts]
    counted = {
        (result[0], bool(result[1])): dict(zip(names, map(_whole, result[2:]), strict=True))
        for result in session.execute(measures)
    }
    residents = {
        (area_id, bool(flag)): (now, before)
        for area_id, flag, now, before in session.execute(_residents(parent, period, by_urban))
    }
    areas = session.scalars(
        select(Area).where(Area.parent_id == parent.id, exists_in(Area, period)).order_by(Area.name)
    ).all()
    merged_into = successor_names(session, [a.id for a in areas if ended_before(a, period)])
    out = []
    for area in areas:
        flags = sorted({f for (a, f) in (*counted, *residents) if a == area.id} or {area.urban})
        for flag in flags:
            now, before = residents.get((area.id, flag), (None, None))
            zero = dict.fromkeys(names, 0)
            cells = counted.get((area.id, flag), zero)
            out.append(
                AreaRow(
                    area.id,
                    area.code,
                    area.name,
                    flag,
                    now,
                    before,
                    cells,
                    merged_into.get(area.id, ()),
                )
            )
    return out


def _whole(value: Any) -> int:
    return int(value or 0)


def exists_in(area: type[Area], period: int) -> ColumnElement[bool]:
    """The areas a table of list year `period` shows: begun by 1 January of it (the tree the
    table rolls up through, `areas.path_in`: a unit of the July 2025 reform first shows in the
    2026 tables), and not ended before the year its start-of-year column reads (an area
    merged during that year is shown once, marked with its successor)."""
    return and_(
        or_(area.valid_from.is_(None), area.valid_from <= date(period, 1, 1)),
        or_(area.valid_to.is_(None), area.valid_to >= date(period - 1, 1, 1)),
    )


def ended_before(area: Area, period: int) -> bool:
    """Whether `area` no longer existed when the list of `period` began."""
    return area.valid_to is not None and area.valid_to < date(period, 1, 1)


def _residents(parent: Area, period: int, by_urban: bool) -> Any:
    """Resident households per row (and urban flag), summed over its villages, this year and
    the year before."""
    row, village = aliased(Area), aliased(Area)
    counts = AreaHouseholds
    urban = village.urban if by_urban else row.urban
    return (
        select(
            row.id,
            urban,
            func.sum(case((counts.year == period, counts.households))).label("now"),
            func.sum(case((counts.year == period - 1, counts.households))).label("before"),
        )
        .select_from(row)
        .join(village, path_in(village, period).startswith(row.path))
        .join(counts, counts.area_id == village.id)
        .where(
            row.parent_id == parent.id,
            path_in(village, period).startswith(parent.path),
            village.level.in_(VILLAGE_LEVELS),
            counts.year.in_((period - 1, period)),
        )
        .group_by(row.id, urban)
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
    reviewed = select(HouseholdReview.period).distinct()
    pledged = select(Commitment.year).distinct()
    years = set(session.scalars(reviewed)) | set(session.scalars(pledged))
    return sorted(years, reverse=True)
