"""The measures of the follow-up table (households that recently left poverty), in plain Python.

The server computes them in SQL (server/storage/reports.py, with the same "recently exited"
subquery for the lists and the phones' household list); this module is the reference
implementation the SQL is tested against, and the one place that says what each measure means.

A household has *recently exited* when its latest exit from poverty lies within the follow-up
window and no review after that exit found it poor again: a household that exited in 2025 and
stayed out of poverty in 2026 is still followed up (its 2026 movement is "unchanged"), one that
relapsed is not. It counts in the row of the village of its latest review (where it lives now).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from server.domain.vocabulary import HouseholdClass, Transition

# Support continues for 36 months after an exit (reference §6); an exit is recognised at the
# end of its review year, so a year's exits stay within the window until the end of the third
# year after it.
FOLLOWUP_YEARS = 3
VISIT_EVERY_DAYS = 90
COUNTS = ("exited", "visited", "at_risk")


@dataclass(frozen=True)
class FollowupWindow:
    since_period: int  # exits in this review year or later are recent
    visited_after: date  # a visit on a later day is recent


def followup_window(today: date) -> FollowupWindow:
    return FollowupWindow(today.year - FOLLOWUP_YEARS, today - timedelta(days=VISIT_EVERY_DAYS))


@dataclass(frozen=True)
class ReviewMovement:
    period: int
    household_class: str | None
    transition: str | None


@dataclass(frozen=True)
class HouseholdFollowup:
    """One household as the follow-up table sees it; `area` is the row it rolls up into."""

    area: Hashable
    reviews: tuple[ReviewMovement, ...]
    last_visit: date | None
    at_risk: bool  # the judgement of its latest visit


def exit_period(reviews: Iterable[ReviewMovement], since_period: int) -> int | None:
    """The year of the household's latest exit if it is recent and it has stayed out since."""
    reviews = list(reviews)
    exits = [r.period for r in reviews if r.transition == Transition.EXITED]
    if not exits or max(exits) < since_period:
        return None
    last = max(exits)
    poor_again = any(
        r.period > last and r.household_class == HouseholdClass.POOR.value for r in reviews
    )
    return None if poor_again else last


def followup_counts(
    households: Iterable[HouseholdFollowup], window: FollowupWindow
) -> dict[Hashable, dict[str, int]]:
    """Per area: recently exited households, how many of them were visited within the window,
    how many of them are at risk of relapse. Areas without such households are left out."""
    totals: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for household in households:
        if exit_period(household.reviews, window.since_period) is None:
            continue
        counted = totals[household.area]
        counted["exited"] += 1
        visit = household.last_visit
        counted["visited"] += visit is not None and visit > window.visited_after
        counted["at_risk"] += household.at_risk
    return {area: {name: counts[name] for name in COUNTS} for area, counts in totals.items()}
