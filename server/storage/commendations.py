"""The SQL of the year's commendation review: the households that left poverty in a year with
where each stands in the review, one proposal or decision written, and what helped each
household (the supports delivered to it and the organisations in charge of it or its village).
Limited to an area's subtree by the village of the household's review of that year, as the
lists are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.vocabulary import CommendationState, PlanState, Transition
from server.storage.models import (
    Area,
    Commendation,
    Household,
    HouseholdReview,
    Organisation,
    PlanItem,
    Responsibility,
    utcnow,
)


@dataclass(frozen=True)
class ExitedHousehold:
    household_id: int
    code: str
    head_name: str
    village: str
    commune: str
    ethnic_minority: bool
    merit: bool
    state: CommendationState | None
    proposal_note: str
    decision_note: str


def exited_households(
    session: Session,
    scope: Area,
    period: int,
    states: Sequence[CommendationState] = (),
) -> list[ExitedHousehold]:
    """Households that left poverty in `period` inside `scope`, with their review's state
    (None: not proposed); `states` keeps only those in one of them."""
    village, commune = aliased(Area), aliased(Area)
    query = (
        select(
            Household.id,
            Household.code,
            Household.head_name,
            village.name,
            commune.name,
            HouseholdReview.ethnic_minority,
            HouseholdReview.merit,
            Commendation.state,
            Commendation.proposal_note,
            Commendation.decision_note,
        )
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(village, village.id == HouseholdReview.village_id)
        .join(commune, commune.id == village.parent_id)
        .outerjoin(
            Commendation,
            and_(Commendation.household_id == Household.id, Commendation.period == period),
        )
        .where(
            village.path.startswith(scope.path),
            HouseholdReview.period == period,
            HouseholdReview.transition == Transition.EXITED,
        )
        .order_by(commune.name, village.name, Household.code)
    )
    if states:
        query = query.where(Commendation.state.in_(states))
    return [
        ExitedHousehold(
            r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7], r[8] or "", r[9] or ""
        )
        for r in session.execute(query)
    ]


def exited_village(session: Session, code: str, period: int) -> tuple[int, Area] | None:
    """The household of that code that left poverty in `period`, and the village of that
    year's review; None when there is no such household or it did not leave poverty then."""
    query = (
        select(Household.id, Area)
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(Area, Area.id == HouseholdReview.village_id)
        .where(
            Household.code == code,
            HouseholdReview.period == period,
            HouseholdReview.transition == Transition.EXITED,
        )
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def find_commendation(session: Session, household_id: int, period: int) -> Commendation | None:
    query = select(Commendation).where(
        Commendation.household_id == household_id, Commendation.period == period
    )
    return session.scalars(query).first()


def propose(
    session: Session, household_id: int, period: int, note: str, user_id: int
) -> Commendation:
    """A new proposal, or a declined one proposed again (its decision cleared)."""
    row = find_commendation(session, household_id, period)
    if row is None:
        row = Commendation(household_id=household_id, period=period, proposed_by=user_id)
        session.add(row)
    row.state = CommendationState.PROPOSED
    row.proposal_note = note
    row.proposed_by = user_id
    row.decision_note = ""
    row.decided_by = None
    row.decided_at = None
    session.flush()
    return row


def decide(
    session: Session, row: Commendation, decision: CommendationState, note: str, user_id: int
) -> None:
    row.state = decision
    row.decision_note = note
    row.decided_by = user_id
    row.decided_at = utcnow()
    session.flush()


@dataclass
class Helped:
    """What reached one household in a year and who helped it."""

    supports: list[str]
    organisations: list[str]


def helpers(session: Session, household_ids: Sequence[int], period: int) -> dict[int, Helped]:
    """For each household that left poverty in `period`: the supports delivered to it in the
    plans of that year and of the year before (the plan made while it was still poor, as the
    effect table counts it), their organisations, and the organisations in charge of it or of
    its village in those years (sponsors included)."""
    years = (period - 1, period)
    found: dict[int, Helped] = defaultdict(lambda: Helped([], []))
    if not household_ids:
        return found
    ids = list(household_ids)
    delivered = (
        select(PlanItem.household_id, PlanItem.support, Organisation.name)
        .join(Organisation, Organisation.id == PlanItem.organisation_id)
        .where(
            PlanItem.household_id.in_(ids),
            PlanItem.period.in_(years),
            PlanItem.state == PlanState.DELIVERED,
        )
        .order_by(PlanItem.household_id, PlanItem.id)
    )
    for household_id, support, organisation in session.execute(delivered):
        helped = found[household_id]
        if support not in helped.supports:
            helped.supports.append(support)
        if organisation not in helped.organisations:
            helped.organisations.append(organisation)
    review = aliased(HouseholdReview)
    duties = (
        select(review.household_id, Organisation.name)
        .join(
            Responsibility,
            or_(
                Responsibility.household_id == review.household_id,
                Responsibility.village_id == review.village_id,
            ),
        )
        .join(Organisation, Organisation.id == Responsibility.organisation_id)
        .where(
            review.household_id.in_(ids),
            review.period == Responsibility.period,  # the village of that year's review
            Responsibility.period.in_(years),
        )
        .order_by(review.household_id, Responsibility.id)
    )
    for household_id, organisation in session.execute(duties):
        helped = found[household_id]
        if organisation not in helped.organisations:
            helped.organisations.append(organisation)
    return found
