"""Year-to-year movements of a household (exited, relapsed, newly poor), kept on its reviews.

Recomputed for all of a household's reviews whenever one of them changes, since a late or
corrected record for one year changes the movement of the next. A year with no review of the
village in the year before is a baseline: its movement is unknown, not "newly poor".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.domain.standards import HouseholdClass
from server.domain.transitions import Transition, transition
from server.storage import registry as queries
from server.storage.models import HouseholdReview


def refresh(session: Session, household_id: int) -> None:
    reviews = list(queries.reviews_of(session, household_id))
    by_period = {r.period: r for r in reviews}
    exited_before = False
    for review in reviews:
        review.transition = _movement(
            session, review, by_period.get(review.period - 1), exited_before
        )
        exited_before = exited_before or review.transition == Transition.EXITED


def _movement(
    session: Session,
    review: HouseholdReview,
    previous: HouseholdReview | None,
    exited_before: bool,
) -> str | None:
    if review.household_class is None:
        return None
    if previous is None and not queries.village_reviewed_in(
        session, review.village_id, review.period - 1
    ):
        return None
    before = (
        HouseholdClass(previous.household_class) if previous and previous.household_class else None
    )
    return transition(before, HouseholdClass(review.household_class), exited_before=exited_before)
