"""Queries over the household registry: households, their reviews and follow-up visits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from server.domain.vocabulary import HouseholdClass, Trait, Transition
from server.storage.models import (
    Area,
    FollowupVisit,
    Household,
    HouseholdReview,
    ReviewDeficiency,
)

# Where a review keeps each group's movement and each trait of the household; the keys are
# str enums, so the plain names of a request's filter look them up too.
MOVEMENT_COLUMNS: dict[str, InstrumentedAttribute[str | None]] = {
    HouseholdClass.POOR: HouseholdReview.transition,
    HouseholdClass.NEAR_POOR: HouseholdReview.near_poor_transition,
}
TRAIT_COLUMNS: dict[str, InstrumentedAttribute[bool]] = {
    Trait.ETHNIC_MINORITY: HouseholdReview.ethnic_minority,
    Trait.MERIT: HouseholdReview.merit,
    Trait.SOCIAL_PROTECTION: HouseholdReview.social_protection,
}


@dataclass(frozen=True)
class ExitedHousehold:
    code: str
    head_name: str
    village_code: str
    village_name: str
    exit_period: int


def find_household(session: Session, code: str) -> Household | None:
    return session.scalars(select(Household).where(Household.code == code)).first()


def find_review(session: Session, household_id: int, period: int) -> HouseholdReview | None:
    query = select(HouseholdReview).where(
        HouseholdReview.household_id == household_id, HouseholdReview.period == period
    )
    return session.scalars(query).first()


def reviews_of(session: Session, household_id: int) -> Sequence[HouseholdReview]:
    query = select(HouseholdReview).where(HouseholdReview.household_id == household_id)
    return list(session.scalars(query.order_by(HouseholdReview.period)))


def review_of_submission(session: Session, submission_id: int) -> HouseholdReview | None:
    query = select(HouseholdReview).where(HouseholdReview.submission_id == submission_id)
    return session.scalars(query).first()


def set_deficiencies(session: Session, review_id: int, indicators: Sequence[str]) -> None:
    session.execute(delete(ReviewDeficiency).where(ReviewDeficiency.review_id == review_id))
    if indicators:
        rows = [{"review_id": review_id, "indicator": code} for code in sorted(indicators)]
        session.execute(insert(ReviewDeficiency), rows)


def deficiencies_of(session: Session, review_id: int) -> set[str]:
    query = select(ReviewDeficiency.indicator).where(ReviewDeficiency.review_id == review_id)
    return set(session.scalars(query))


def village_reviewed_in(session: Session, village_id: int, period: int) -> bool:
    """Whether any household of this village has a review in `period` (a baseline test)."""
    query = select(func.count()).where(
        HouseholdReview.village_id == village_id, HouseholdReview.period == period
    )
    return bool(session.scalar(query))


def latest_periods() -> Any:
    """(household_id, period) of each household's latest review."""
    return (
        select(HouseholdReview.household_id, func.max(HouseholdReview.period).label("period"))
        .group_by(HouseholdReview.household_id)
        .subquery()
    )


def recent_exits(since_period: int) -> Any:
    """(household_id, exit_period) of the households whose latest exit from poverty is in or
    after `since_period` and that no later review found poor again (the meaning is in
    server/domain/followup_measures.py); the follow-up table, lists and phones all use this."""
    exits = (
        select(HouseholdReview.household_id, func.max(HouseholdReview.period).label("period"))
        .where(
            HouseholdReview.transition == Transition.EXITED, HouseholdReview.period >= since_period
        )
        .group_by(HouseholdReview.household_id)
        .subquery()
    )
    later = aliased(HouseholdReview)
    poor_since = exists().where(
        later.household_id == exits.c.household_id,
        later.period > exits.c.period,
        later.household_class == HouseholdClass.POOR,
    )
    return (
        select(exits.c.household_id, exits.c.period.label("exit_period"))
        .where(~poor_since)
        .subquery()
    )


def recently_exited(
    session: Session, scope: Area | None, since_period: int
) -> Sequence[ExitedHousehold]:
    """Households within `scope` that left poverty in or after `since_period` and stayed out."""
    recent = recent_exits(since_period)
    query = (
        select(Household.code, Household.head_name, Area.code, Area.name, recent.c.exit_period)
        .join(recent, recent.c.household_id == Household.id)
        .join(Area, Area.id == Household.village_id)
        .order_by(Area.name, Household.code)
    )
    if scope is not None:
        query = query.where(Area.path.startswith(scope.path))
    return [ExitedHousehold(*row) for row in session.execute(query)]


def visit_of_submission(session: Session, submission_id: int) -> FollowupVisit | None:
    query = select(FollowupVisit).where(FollowupVisit.submission_id == submission_id)
    return session.scalars(query).first()


def latest_visit(session: Session, household_id: int) -> FollowupVisit | None:
    query = (
        select(FollowupVisit)
        .where(FollowupVisit.household_id == household_id)
        .order_by(FollowupVisit.visit_date.desc(), FollowupVisit.id.desc())
    )
    return session.scalars(query).first()


def delete_reviews_of_period(session: Session, period: int) -> set[int]:
    """Remove a period's reviews (to derive them again); return the households they were of."""
    reviews = select(HouseholdReview.id).where(HouseholdReview.period == period)
    households = set(
        session.scalars(
            select(HouseholdReview.household_id).where(HouseholdReview.period == period)
        )
    )
    session.execute(delete(ReviewDeficiency).where(ReviewDeficiency.review_id.in_(reviews)))
    session.execute(delete(HouseholdReview).where(HouseholdReview.period == period))
    return households


def households_reviewed_in(session: Session, *periods: int) -> set[int]:
    query = select(HouseholdReview.household_id).where(HouseholdReview.period.in_(periods))
    return set(session.scalars(query))


def count_reviews(session: Session, period: int) -> int:
    query = select(func.count()).where(HouseholdReview.period == period)
    return session.scalar(query) or 0


def households_reviewed_in_village(session: Session, village_id: int, period: int) -> set[int]:
    query = select(HouseholdReview.household_id).where(
        HouseholdReview.village_id == village_id, HouseholdReview.period == period
    )
    return set(session.scalars(query))
