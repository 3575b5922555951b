"""Follow-up visits to households that recently left poverty, and their relapse-risk flag."""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.domain.relapse import VisitFacts, relapse_risk
from server.domain.standards import standard_for_year
from server.domain.support_plans import VisitReport
from server.domain.vocabulary import Transition
from server.errors import InvalidInput
from server.formats.followup import VisitRecord, read_visit
from server.services.support_plans import apply_visit_report
from server.storage import registry as queries
from server.storage.areas import find_area


def record_visit(session: Session, submission_id: int, root: Element) -> str | None:
    """Store (or, for an edited record, replace) the visit, update the household's flag and
    move the plan items the cadre ticked; the record's issue when some could not be moved."""
    record = read_visit(root)
    household = queries.find_household(session, record.household_code)
    if household is None:
        raise InvalidInput(field="household", detail=f"no household {record.household_code!r}")
    village = find_area(session, household.village_id)
    standard = standard_for_year(record.visit_date.year)
    found = _facts(record)
    risk = relapse_risk(found, standard, urban=bool(village and village.urban))
    facts = queries.FollowupVisitFacts(
        household_id=household.id,
        visit_date=record.visit_date,
        months_since_exit=_months_since_exit(session, household.id, record.visit_date),
        found=found,
        support_needed=record.support_needed,
        hi_card_expiry=record.hi_card_expiry,
        loan_due=record.loan_due,
        livelihood_end=record.livelihood_end,
        risk=risk,
    )
    queries.upsert_visit(session, submission_id, facts)
    queries.carry_latest_visit(session, household.id)
    report = VisitReport(record.delivered_items, record.impossible_items, record.impossible_reason)
    return apply_visit_report(session, submission_id, household.id, report)


def _facts(record: VisitRecord) -> VisitFacts:
    return VisitFacts(
        household_income_month=record.household_income_month,
        member_count=record.member_count,
        shocks=record.shocks,
        recheck_deficient=record.recheck_deficient,
        cadre_risk=record.cadre_risk,
    )


def _months_since_exit(session: Session, household_id: int, on: date) -> int | None:
    """Months from the end of the review year in which the household left poverty."""
    exits = [
        r.period
        for r in queries.reviews_of(session, household_id)
        if r.transition == Transition.EXITED and r.period <= on.year
    ]
    if not exits:
        return None
    exit_year = max(exits)
    return max(0, (on.year - exit_year) * 12 + on.month - 12)
