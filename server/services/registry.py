"""The household registry: reviews and follow-up visits derived from stored submissions.

Runs inside the submission's transaction, after the raw XML is stored. A record whose content
breaks a domain rule (unknown village, a code that does not match it, an unreadable income…)
is still stored and acknowledged; it stays out of the registry and its submission is marked
"has issues" with the reason, for the commune officer (DESIGN.md §5). Everything here can be
re-derived from the raw XML (`reclassify`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.domain.assess import Assessment, assess
from server.domain.household import HouseholdAnswers, household_code_matches_village
from server.domain.screening import outcome as screening_outcome
from server.domain.screening import shipped_rules as shipped_screening_rules
from server.domain.screening import signs_text
from server.domain.standards import Standard, load_standards, standard_for_year
from server.errors import AreaNotInListYear, InvalidInput, MergedUnitCode, RasoatError
from server.formats.household import read_household_answers, read_phone_view
from server.formats.screening import read_screening_answers
from server.services import transitions
from server.storage import registry as queries
from server.storage import screenings as screening_queries
from server.storage.areas import VILLAGE_LEVELS, find_area_by_code, placed_in, successor_names
from server.storage.models import Area
from server.storage.submissions import mark_issues
from server.storage.transaction import savepoint

logger = logging.getLogger(__name__)

HOUSEHOLD_SURVEY = "household_survey"
FOLLOWUP_VISIT = "followup_visit"
HOUSEHOLD_SCREENING = "household_screening"
# The forms that name a household by `household_code` and its village by `village`.
NAMES_ITS_VILLAGE = frozenset({HOUSEHOLD_SURVEY, HOUSEHOLD_SCREENING})


@dataclass(frozen=True)
class _Derived:
    answers: HouseholdAnswers
    village: Area
    standard: Standard
    assessment: Assessment
    phone_view: dict[str, str]


def load_rules() -> tuple[Standard, ...]:
    """Load and check every standard's data file; a broken file stops the start with a message
    naming the file and key (raised as InvalidInput)."""
    return load_standards()


def after_store(
    session: Session, xml_form_id: str, submission_id: int, root: Element
) -> str | None:
    """Derive registry rows from a newly stored submission of a registry form; the issue that
    keeps it out of the registry (the record is then "has issues"), or None."""
    handler = _HANDLERS.get(xml_form_id)
    return handler(session, submission_id, root) if handler is not None else None


def record_household_review(session: Session, submission_id: int, root: Element) -> str | None:
    conflicting = None
    try:
        with savepoint(session):
            derived = _derive(session, root)
            answers = derived.answers
            conflicting = queries.review_by_other_submission(
                session, answers.household_code, answers.review_year, submission_id
            )
            if conflicting is None:
                _store_review(session, submission_id, derived)
    except RasoatError as problem:
        mark_issues(session, submission_id, problem.message)
        logger.info("submission %s kept out of the registry: %s", submission_id, problem.code)
        return problem.message
    if conflicting is not None:
        return _flag_conflict(session, conflicting, submission_id, derived)
    mark_issues(session, submission_id, None)
    return None


def _village_of(session: Session, village_code: str, household_code: str) -> Area:
    """The village a record names, which its household code must start with."""
    village = find_area_by_code(session, village_code)
    if village is None or village.level not in VILLAGE_LEVELS:
        raise InvalidInput(field="village", detail=f"no village {village_code!r}")
    if not household_code_matches_village(household_code, village_code):
        raise InvalidInput(
            field="household_code", detail=f"{household_code!r} is not {village_code}-<number>"
        )
    return village


def _derive(session: Session, root: Element) -> _Derived:
    answers = read_household_answers(root)
    village = _village_of(session, answers.village_code, answers.household_code)
    _check_place(session, village, answers.commune_code, answers.review_year)
    standard = standard_for_year(answers.review_year)
    assessment = assess(answers, standard, urban=village.urban)
    view = read_phone_view(root, tuple(i.code for i in standard.indicators))
    return _Derived(answers, village, standard, assessment, view)


def _check_place(session: Session, village: Area, commune_code: str | None, year: int) -> None:
    """The record's village, and every unit above it, must exist in the tree of its list year
    (the tree on 1 January, as the tables have it), and its commune answer must not be a unit
    merged before then: else the record would count under a unit that was not there, or
    nowhere (docs/architecture.md, the area tree across a reform)."""
    first_day = date(year, 1, 1)
    for unit in reversed(placed_in(session, village, year)):
        if unit.valid_from is not None and unit.valid_from > first_day:
            since = unit.valid_from.isoformat()
            when_vi, when = f"có từ ngày {since}", f"it begins on {since}"
        elif unit.valid_to is not None and unit.valid_to < first_day:
            until = unit.valid_to.isoformat()
            when_vi, when = f"đã kết thúc ngày {until}", f"it ended on {until}"
        else:
            continue
        raise AreaNotInListYear(
            name=unit.name, code=unit.code, list_year=year, when_vi=when_vi, when=when
        )
    commune = find_area_by_code(session, commune_code) if commune_code else None
    if commune is not None and commune.valid_to is not None and commune.valid_to < first_day:
        successors = successor_names(session, [commune.id]).get(commune.id, ())
        raise MergedUnitCode(
            name=commune.name,
            code=commune.code,
            successors=", ".join(successors) or "?",
            since=(commune.valid_to + timedelta(days=1)).isoformat(),
            list_year=year,
        )


def _store_review(session: Session, submission_id: int, derived: _Derived) -> None:
    period, village_id = derived.answers.review_year, derived.village.id
    # The first review of a village in a period turns next period's reviews there from a
    # baseline (no movement) into movements measured against this period.
    village_was_new = not queries.village_reviewed_in(session, village_id, period)
    household_id = queries.upsert_household(session, _household_facts(derived), period)
    queries.upsert_review(session, household_id, period, _review_facts(submission_id, derived))
    transitions.refresh(session, household_id)
    if village_was_new:
        for other in queries.households_reviewed_in_village(session, village_id, period + 1):
            transitions.refresh(session, other)


def _household_facts(derived: _Derived) -> queries.HouseholdFacts:
    answers = derived.answers
    return queries.HouseholdFacts(
        code=answers.household_code,
        village_id=derived.village.id,
        head_name=answers.head_name,
        ethnic_minority=answers.ethnic_minority,
        merit=answers.merit,
        social_protection=answers.social_protection,
    )


def _review_facts(submission_id: int, derived: _Derived) -> queries.ReviewFacts:
    answers, assessment = derived.answers, derived.assessment
    return queries.ReviewFacts(
        submission_id=submission_id,
        village_id=derived.village.id,
        urban=derived.village.urban,
        standard_code=derived.standard.code,
        income_per_person=assessment.income_per_person,
        deficiency_count=assessment.deficiency_count,
        household_class=assessment.household_class,
        members=len(answers.members),
        ethnic_minority=answers.ethnic_minority,
        merit=answers.merit,
        social_protection=answers.social_protection,
        phone_disagreement=_disagreement(derived),
        deficient=tuple(sorted(assessment.deficient)),
    )


def _disagreement(derived: _Derived) -> str | None:
    """Where the phone's own calculation differs from the server's (the server's counts)."""
    ours = {
        f"d_{i.code}": "1" if i.code in derived.assessment.deficient else "0"
        for i in derived.standard.indicators
        if i.code not in derived.assessment.unassessed
    }
    ours["deficiency_count"] = str(derived.assessment.deficiency_count)
    ours["provisional_class"] = str(derived.assessment.household_class or "")
    # A phone that judged the list year by another standard is recorded too (never followed).
    ours["standard_code"] = derived.standard.code
    differences = [
        f"{name}: phone {value}, server {ours[name]}"
        for name, value in sorted(derived.phone_view.items())
        if name in ours and value != ours[name]
    ]
    return "; ".join(differences) or None


def _flag_conflict(
    session: Session, review: queries.OtherReview, submission_id: int, derived: _Derived
) -> str:
    """Two different records for one household and period: keep both, overwrite nothing, and
    put both in front of the commune officer."""
    queries.mark_review_in_conflict(session, review.review_id)
    code, period = derived.answers.household_code, derived.answers.review_year
    message = (
        f"Hộ {code} có hai phiếu khác nhau trong kỳ rà soát {period}; cán bộ xã cần chọn phiếu "
        f"đúng. / Household {code} has two different records for {period}; an officer must "
        "choose the right one."
    )
    mark_issues(session, review.submission_id, message)
    mark_issues(session, submission_id, message)
    return message


def record_followup_visit(session: Session, submission_id: int, root: Element) -> str | None:
    from server.services.followups import record_visit

    try:
        with savepoint(session):
            # The visit is applied even when some of the plan items it ticks cannot move;
            # those are the record's issue.
            issue = record_visit(session, submission_id, root)
    except RasoatError as problem:
        mark_issues(session, submission_id, problem.message)
        return problem.message
    mark_issues(session, submission_id, issue)
    return issue


def record_household_screening(session: Session, submission_id: int, root: Element) -> str | None:
    """Record the quick screening (Phiếu A) of a household for a list year, decided again
    from the answers; the latest record of a household and year replaces the earlier one."""
    try:
        with savepoint(session):
            answers = read_screening_answers(root)
            village = _village_of(session, answers.village_code, answers.household_code)
            standard_for_year(answers.list_year)  # a list year without a standard is flagged
            screening_queries.upsert_screening(
                session,
                screening_queries.ScreeningFacts(
                    household_code=answers.household_code,
                    period=answers.list_year,
                    village_id=village.id,
                    submission_id=submission_id,
                    head_name=answers.head_name,
                    outcome=screening_outcome(answers, shipped_screening_rules()),
                    listed_or_applied=answers.listed_or_applied,
                    signs=signs_text(answers.signs),
                ),
            )
    except RasoatError as problem:
        mark_issues(session, submission_id, problem.message)
        return problem.message
    mark_issues(session, submission_id, None)
    return None


_HANDLERS: dict[str, Callable[[Session, int, Element], str | None]] = {
    HOUSEHOLD_SURVEY: record_household_review,
    FOLLOWUP_VISIT: record_followup_visit,
    HOUSEHOLD_SCREENING: record_household_screening,
}
# The forms whose records are applied to the registry (and so are checked against their
# sender's area first: services/write_scope.py).
REGISTRY_FORMS = frozenset(_HANDLERS)
