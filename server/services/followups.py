"""Follow-up visits to households that recently left poverty, and their relapse-risk flag."""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.domain.relapse import VisitFacts, relapse_risk
from server.domain.standards import standard_for_year
from server.domain.vocabulary import Transition
from server.errors import InvalidInput
from server.formats.followup import VisitRecord, read_visit
from server.storage import registry as queries
from server.storage.areas import find_area
from server.storage.models import FollowupVisit, Household, utcnow


def record_visit(session: Session, submission_id: int, root: Element) -> None:
    """Store (or, for an edited record, replace) the visit and update the household's flag."""
    record = read_visit(root)
    household = queries.find_household(session, record.household_code)
    if household is None:
        raise InvalidInput(field="household", detail=f"no household {record.household_code!r}")
    village = find_area(session, household.village_id)
    standard = standard_for_year(record.visit_date.year)
    risk = relapse_risk(_facts(record), standard, urban=bool(village and village.urban))
    months = _months_since_exit(session, household, record.visit_date)
    visit = queries.visit_of_submission(session, submission_id)
    if visit is None:
        visit = FollowupVisit(submission_id=submission_id)
    _fill(visit, household, record, months)
    visit.at_risk, visit.risk_reasons = risk.at_risk, " ".join(risk.reasons)
    session.add(visit)
    session.flush()
    _update_flag(session, household)


def _facts(record: VisitRecord) -> VisitFacts:
    return VisitFacts(
        household_income_month=record.household_income_month,
        member_count=record.member_count,
        shocks=record.shocks,
        recheck_deficient=record.recheck_deficient,
        cadre_risk=record.cadre_risk,
    )


def _fill(
    visit: FollowupVisit, household: Household, record: VisitRecord, months: int | None
) -> None:
    visit.household_id, visit.visit_date = household.id, record.visit_date
    visit.months_since_exit = months
    visit.household_income_month, visit.member_count = (
        record.household_income_month,
        record.member_count,
    )
    visit.shocks = " ".join(sorted(record.shocks))
    visit.recheck_deficient = " ".join(sorted(record.recheck_deficient))
    visit.cadre_risk = record.cadre_risk
    visit.support_needed = " ".join(sorted(record.support_needed))
    visit.hi_card_expiry, visit.loan_due = record.hi_card_expiry, record.loan_due
    visit.livelihood_end = record.livelihood_end


def _months_since_exit(session: Session, household: Household, on: date) -> int | None:
    """Months from the end of the review year in which the household left poverty."""
    exits = [
        r.period
        for r in queries.reviews_of(session, household.id)
        if r.transition == Transition.EXITED and r.period <= on.year
    ]
    if not exits:
        return None
    exit_year = max(exits)
    return max(0, (on.year - exit_year) * 12 + on.month - 12)


def _update_flag(session: Session, household: Household) -> None:
    """The household carries the judgement of its latest visit."""
    latest = queries.latest_visit(session, household.id)
    household.relapse_risk = bool(latest and latest.at_risk)
    household.relapse_reasons = latest.risk_reasons if latest else None
    household.updated_at = utcnow()
