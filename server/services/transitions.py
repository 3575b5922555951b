"""Year-to-year movements of a household (exited, relapsed, newly poor), kept on its reviews.

Recomputed for all of a household's reviews whenever one of them changes, since a late or
corrected record for one year changes the movement of the next. A year with no review of the
village in the year before is a baseline: its movement is unknown, not "newly poor".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.domain.transitions import transition
from server.domain.vocabulary import HouseholdClass, Transition
from server.storage import registry as queries
from server.storage.registry import ReviewedClass


def refresh(session: Session, household_id: int) -> None:
    reviews = queries.class_history(session, household_id)
    by_period = {r.period: r for r in reviews}
    left_poor = left_near_poor = False
    for review in reviews:
        previous = by_period.get(review.period - 1)
        if _is_baseline(session, review, previous):
            queries.set_movements(session, review.review_id, None, None)
            continue
        poor = _movement(review, previous, left_poor, HouseholdClass.POOR)
        near_poor = _movement(review, previous, left_near_poor, HouseholdClass.NEAR_POOR)
        queries.set_movements(session, review.review_id, poor, near_poor)
        left_poor = left_poor or poor == Transition.EXITED
        left_near_poor = left_near_poor or near_poor == Transition.EXITED


def _is_baseline(session: Session, review: ReviewedClass, previous: ReviewedClass | None) -> bool:
    if review.household_class is None:
        return True
    return previous is None and not queries.village_reviewed_in(
        session, review.village_id, review.period - 1
    )


def _movement(
    review: ReviewedClass,
    previous: ReviewedClass | None,
    exited_before: bool,
    group: HouseholdClass,
) -> str:
    before = None
    if previous is not None and previous.household_class:
        before = HouseholdClass(previous.household_class)
    current = HouseholdClass(review.household_class or "")
    return transition(before, current, exited_before=exited_before, group=group)
