"""The SQL of the action lists: rows stream from the database (a district's list can have
100,000 rows), each with the names of its village and commune."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.vocabulary import HouseholdClass, Transition
from server.storage.models import (
    Area,
    FollowupVisit,
    Household,
    HouseholdReview,
    ReviewDeficiency,
)
from server.storage.registry import TRAIT_COLUMNS, latest_periods, recent_exits

POOR_OR_NEAR = (HouseholdClass.POOR, HouseholdClass.NEAR_POOR)


@dataclass(frozen=True)
class ListedHousehold:
    code: str
    head_name: str
    village: str
    commune: str
    household_class: str | None
    income_per_person: Decimal | None
    ethnic_minority: bool
    merit: bool
    social_protection: bool
    indicator: str | None = None
    last_visit: date | None = None
    relapse_reasons: str | None = None
    exit_period: int | None = None


def _base(scope: Area, groups: Sequence[str] = ()) -> tuple[Any, Any, Any]:
    village, commune = aliased(Area), aliased(Area)
    query = (
        select(
            Household.code,
            Household.head_name,
            village.name,
            commune.name,
            HouseholdReview.household_class,
            HouseholdReview.income_per_person,
            HouseholdReview.ethnic_minority,
            HouseholdReview.merit,
            HouseholdReview.social_protection,
        )
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(village, village.id == HouseholdReview.village_id)
        .join(commune, commune.id == village.parent_id)
        .where(village.path.startswith(scope.path))
    )
    return _in_groups(query, groups), village, commune


def _stream(session: Session, query: Any) -> Iterator[Any]:
    yield from session.execute(query.execution_options(yield_per=2000))


def _listed(row: Any, **extra: Any) -> ListedHousehold:
    """The nine address columns of `_base`, then what a list adds."""
    return ListedHousehold(*row[:9], **extra)


def deficiency_rows(
    session: Session,
    scope: Area,
    period: int,
    *,
    indicators: Sequence[str] = (),
    groups: Sequence[str] = (),
) -> Iterator[ListedHousehold]:
    """Poor and near-poor households × each indicator they are deficient in; a near-poor
    household deficient in nothing still comes once (indicator None) for its income support."""
    query, village, commune = _base(scope, groups)
    query = (
        query.add_columns(ReviewDeficiency.indicator)
        .outerjoin(ReviewDeficiency, ReviewDeficiency.review_id == HouseholdReview.id)
        .where(HouseholdReview.period == period, HouseholdReview.household_class.in_(POOR_OR_NEAR))
        .order_by(commune.name, village.name, Household.code, ReviewDeficiency.indicator)
    )
    if indicators:
        query = query.where(ReviewDeficiency.indicator.in_(indicators))
    for row in _stream(session, query):
        yield _listed(row, indicator=row[9])


def _in_groups(query: Any, groups: Sequence[str]) -> Any:
    chosen = [TRAIT_COLUMNS[g].is_(True) for g in groups if g in TRAIT_COLUMNS]
    return query.where(or_(*chosen)) if chosen else query


def exited_rows(
    session: Session, scope: Area, period: int, groups: Sequence[str] = ()
) -> Iterator[ListedHousehold]:
    """Households that left poverty in `period` (the commendation list)."""
    query, village, commune = _base(scope, groups)
    query = query.where(
        HouseholdReview.period == period, HouseholdReview.transition == Transition.EXITED
    ).order_by(commune.name, village.name, Household.code)
    for row in _stream(session, query):
        yield _listed(row, exit_period=period)


def last_visits() -> Any:
    """(household_id, last_visit) of each visited household."""
    return select(
        FollowupVisit.household_id, func.max(FollowupVisit.visit_date).label("last_visit")
    ).group_by(FollowupVisit.household_id)


def _latest_with_visits(
    scope: Area, groups: Sequence[str], *extra: Any
) -> tuple[Any, Any, Any, Any]:
    """Each household's latest review (with its address), its last visit, and `extra`
    columns; returns the query, the visits subquery and the village and commune aliases."""
    query, village, commune = _base(scope, groups)
    latest = latest_periods()
    visits = last_visits().subquery()
    query = (
        query.add_columns(visits.c.last_visit, *extra)
        .join(
            latest,
            and_(latest.c.household_id == Household.id, latest.c.period == HouseholdReview.period),
        )
        .outerjoin(visits, visits.c.household_id == Household.id)
        .order_by(commune.name, village.name, Household.code)
    )
    return query, visits, village, commune


def due_for_visit_rows(
    session: Session,
    scope: Area,
    since_period: int,
    visited_after: date,
    groups: Sequence[str] = (),
) -> Iterator[ListedHousehold]:
    """Households that left poverty in or after `since_period` and stayed out of it, and have
    had no visit after `visited_after`; listed at the address of their latest review."""
    recent = recent_exits(since_period)
    query, visits, _, _ = _latest_with_visits(scope, groups, recent.c.exit_period)
    query = query.join(recent, recent.c.household_id == Household.id).where(
        or_(visits.c.last_visit.is_(None), visits.c.last_visit <= visited_after),
    )
    for row in _stream(session, query):
        yield _listed(row, last_visit=row[9], exit_period=row[10])


def relapse_risk_rows(
    session: Session, scope: Area, groups: Sequence[str] = ()
) -> Iterator[ListedHousehold]:
    """Households whose latest follow-up visit found them at risk of falling back."""
    query, _, _, _ = _latest_with_visits(scope, groups, Household.relapse_reasons)
    query = query.where(Household.relapse_risk.is_(True))
    for row in _stream(session, query):
        yield _listed(row, last_visit=row[9], relapse_reasons=row[10])
