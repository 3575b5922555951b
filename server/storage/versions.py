"""The version of the data the tables and action lists are computed from, read without
reading the tables: a few aggregates per table, in one query.

It changes whenever a row is added, removed or changed: rows that are only ever added show in
count and largest id; rows that change carry `updated_at`; the small tables staff edit by hand
(resident households, pledges, the area tree) have no such column, so their sums weighted by
key stand in for one (a change of one row always moves them; only several coordinated
changes could cancel out).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, FromClause, cast, func, select, true
from sqlalchemy.orm import Session

from server.storage.models import (
    Area,
    AreaHouseholds,
    Commitment,
    FollowupVisit,
    Household,
    HouseholdReview,
)


def _big(value: Any) -> ColumnElement[Any]:
    # PostgreSQL multiplies integers as 32-bit ones and would overflow on the weighted sums.
    return cast(value, BigInteger)


def _sum(value: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(value), 0)


def _aggregates() -> list[list[ColumnElement[Any]]]:
    review, household, visit = HouseholdReview, Household, FollowupVisit
    households, pledge = AreaHouseholds, Commitment
    return [
        [func.count(review.id), func.max(review.id), func.max(review.updated_at)],
        [func.count(household.id), func.max(household.id), func.max(household.updated_at)],
        [func.count(visit.id), func.max(visit.id)],
        [
            func.count(),
            _sum(households.households),
            _sum(_big(households.households) * households.area_id),
            _sum(_big(households.households) * households.year),
        ],
        [
            func.count(),
            _sum(pledge.pledged),
            _sum(_big(pledge.pledged) * pledge.area_id),
            _sum(_big(pledge.pledged) * pledge.year),
        ],
        [
            func.count(Area.id),
            func.max(Area.id),
            _sum(Area.parent_id),
            _sum(func.length(Area.path)),
            _sum(func.length(Area.name)),
        ],
    ]


def registry_version(session: Session) -> str:
    """The aggregates as one text; equal texts mean the tables would come out the same."""
    # One row of aggregates per table, side by side: a single round trip.
    tables = [
        select(*(c.label(f"t{t}_{i}") for i, c in enumerate(columns))).subquery()
        for t, columns in enumerate(_aggregates())
    ]
    joined: FromClause = tables[0]
    for table in tables[1:]:
        joined = joined.join(table, true())  # one row each: the join puts them side by side
    columns = (c for table in tables for c in table.c)
    row = session.execute(select(*columns).select_from(joined)).one()
    return "|".join("" if v is None else str(v) for v in row)
