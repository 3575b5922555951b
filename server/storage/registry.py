"""Queries over the household registry: households, their reviews and follow-up visits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from server.domain.relapse import RelapseRisk, VisitFacts
from server.domain.vocabulary import HouseholdClass, Trait, Transition
from server.storage.models import (
    Area,
    FollowupVisit,
    Household,
    HouseholdReview,
    HouseholdScreening,
    ReviewDeficiency,
    utcnow,
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


@dataclass(frozen=True)
class HouseholdFacts:
    """A household as one review describes it."""

    code: str
    village_id: int
    head_name: str
    ethnic_minority: bool
    merit: bool
    social_protection: bool


@dataclass(frozen=True)
class ReviewFacts:
    """What one submission says of a household in a review period, as the server derived it."""

    submission_id: int
    village_id: int
    urban: bool
    standard_code: str
    income_per_person: Decimal | None
    deficiency_count: int
    household_class: str | None
    members: int
    ethnic_minority: bool
    merit: bool
    social_protection: bool
    phone_disagreement: str | None
    deficient: tuple[str, ...]  # indicator codes


@dataclass(frozen=True)
class OtherReview:
    """A review of a household and period that came from another submission."""

    review_id: int
    submission_id: int


def upsert_household(session: Session, facts: HouseholdFacts, period: int) -> int:
    """The household's id, its row created if new. The registry shows each household as its
    latest review describes it, so an existing row is described again only by a review of its
    latest period or a later one."""
    household = find_household(session, facts.code)
    if household is None:
        household = Household(code=facts.code)
        session.add(household)
        latest = 0
    else:
        latest = max((r.period for r in reviews_of(session, household.id)), default=0)
    if period >= latest:
        household.village_id, household.head_name = facts.village_id, facts.head_name
        household.ethnic_minority = facts.ethnic_minority
        household.merit, household.social_protection = facts.merit, facts.social_protection
        household.updated_at = utcnow()
    session.flush()
    return household.id


def upsert_review(session: Session, household_id: int, period: int, facts: ReviewFacts) -> int:
    """The review's id: the household's review of `period`, created or overwritten with these
    facts (no longer in conflict), with its deficient indicators."""
    review = find_review(session, household_id, period)
    if review is None:
        review = HouseholdReview(household_id=household_id, period=period)
        session.add(review)
    review.submission_id, review.village_id = facts.submission_id, facts.village_id
    review.urban, review.standard_code = facts.urban, facts.standard_code
    review.income_per_person = facts.income_per_person
    review.deficiency_count = facts.deficiency_count
    review.household_class = facts.household_class
    review.members = facts.members
    review.ethnic_minority, review.merit = facts.ethnic_minority, facts.merit
    review.social_protection = facts.social_protection
    review.phone_disagreement = facts.phone_disagreement
    review.conflict = False
    review.updated_at = utcnow()
    session.flush()
    set_deficiencies(session, review.id, facts.deficient)
    return review.id


def review_by_other_submission(
    session: Session, household_code: str, period: int, submission_id: int
) -> OtherReview | None:
    household = find_household(session, household_code)
    if household is None:
        return None
    review = find_review(session, household.id, period)
    if review is None or review.submission_id == submission_id:
        return None
    return OtherReview(review.id, review.submission_id)


def mark_review_in_conflict(session: Session, review_id: int) -> None:
    """Another submission disagrees with this review; an officer decides."""
    review = session.get(HouseholdReview, review_id)
    if review is not None:
        review.conflict = True


@dataclass(frozen=True)
class ReviewedClass:
    """One review's class, what a household's movements are computed from."""

    review_id: int
    period: int
    village_id: int
    household_class: str | None


def class_history(session: Session, household_id: int) -> list[ReviewedClass]:
    """The household's reviews, oldest period first."""
    return [
        ReviewedClass(r.id, r.period, r.village_id, r.household_class)
        for r in reviews_of(session, household_id)
    ]


def set_movements(
    session: Session, review_id: int, transition: str | None, near_poor_transition: str | None
) -> None:
    """A review's movement of the poor group and of the near-poor group (None: a baseline)."""
    review = session.get(HouseholdReview, review_id)  # loaded by class_history: no query
    if review is not None:
        review.transition, review.near_poor_transition = transition, near_poor_transition


def villages_of_submission(session: Session, submission_id: int) -> list[Area]:
    """The villages a record is applied to in the registry: those of its reviews and
    screenings and of the household its visit names (none for a record kept out)."""
    by_review = select(HouseholdReview.village_id).where(
        HouseholdReview.submission_id == submission_id
    )
    by_visit = (
        select(Household.village_id)
        .join(FollowupVisit, FollowupVisit.household_id == Household.id)
        .where(FollowupVisit.submission_id == submission_id)
    )
    by_screening = select(HouseholdScreening.village_id).where(
        HouseholdScreening.submission_id == submission_id
    )
    query = select(Area).where(Area.id.in_(by_review.union(by_visit, by_screening)))
    return list(session.scalars(query.order_by(Area.id)))


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


@dataclass(frozen=True)
class HouseholdsOf:
    """Some households: those named, and every household of the villages named."""

    households: frozenset[int]
    villages: frozenset[int]

    def condition(self) -> Any:
        return or_(Household.id.in_(self.households), Household.village_id.in_(self.villages))


def within_households(query: Any, scope: Area | None, only: HouseholdsOf | None) -> Any:
    """`query` (joined to Household and to its village as Area) kept to `scope` and `only`."""
    if scope is not None:
        query = query.where(Area.path.startswith(scope.path))
    return query.where(only.condition()) if only is not None else query


def recently_exited(
    session: Session, scope: Area | None, since_period: int, only: HouseholdsOf | None = None
) -> Sequence[ExitedHousehold]:
    """Households within `scope` (and among `only`, when given) that left poverty in or after
    `since_period` and stayed out."""
    recent = recent_exits(since_period)
    query = (
        select(Household.code, Household.head_name, Area.code, Area.name, recent.c.exit_period)
        .join(recent, recent.c.household_id == Household.id)
        .join(Area, Area.id == Household.village_id)
        .order_by(Area.name, Household.code)
    )
    query = within_households(query, scope, only)
    return [ExitedHousehold(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class FollowupVisitFacts:
    """What one follow-up visit found, and the relapse-risk judgement made of it."""

    household_id: int
    visit_date: date
    months_since_exit: int | None
    found: VisitFacts  # what the relapse-risk rules read
    support_needed: frozenset[str]
    hi_card_expiry: date | None
    loan_due: date | None
    livelihood_end: date | None
    risk: RelapseRisk


def upsert_visit(session: Session, submission_id: int, facts: FollowupVisitFacts) -> None:
    """The submission's visit, created or (for an edited record) overwritten."""
    visit = visit_of_submission(session, submission_id)
    if visit is None:
        visit = FollowupVisit(submission_id=submission_id)
        session.add(visit)
    found = facts.found
    visit.household_id, visit.visit_date = facts.household_id, facts.visit_date
    visit.months_since_exit = facts.months_since_exit
    visit.household_income_month, visit.member_count = (
        found.household_income_month,
        found.member_count,
    )
    visit.shocks = " ".join(sorted(found.shocks))
    visit.recheck_deficient = " ".join(sorted(found.recheck_deficient))
    visit.cadre_risk = found.cadre_risk
    visit.support_needed = " ".join(sorted(facts.support_needed))
    visit.hi_card_expiry, visit.loan_due = facts.hi_card_expiry, facts.loan_due
    visit.livelihood_end = facts.livelihood_end
    visit.at_risk, visit.risk_reasons = facts.risk.at_risk, " ".join(facts.risk.reasons)
    session.flush()


def carry_latest_visit(session: Session, household_id: int) -> None:
    """The household carries the relapse-risk judgement of its latest visit."""
    household = session.get(Household, household_id)
    if household is None:
        return
    latest = latest_visit(session, household_id)
    household.relapse_risk = bool(latest and latest.at_risk)
    household.relapse_reasons = latest.risk_reasons if latest else None
    household.updated_at = utcnow()


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
