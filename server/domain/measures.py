"""The measures of the review summary table (reference §5.3), defined once, in plain Python.

The server computes them in SQL (server/storage/reports.py) because a district's registry is
large; this module is the reference implementation the SQL is tested against, and the one
place that says what each measure means. Counts are per area and period; rates are derived
from counts and resident households by the caller (`server.formats.tables.rate`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from server.domain.vocabulary import HouseholdClass, Transition

POOR, NEAR_POOR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value


@dataclass(frozen=True)
class ReviewFacts:
    """One household review as the summary sees it; `area` is the row it rolls up into."""

    area: Hashable
    period: int
    household_class: str | None
    transition: str | None
    near_poor_transition: str | None
    ethnic_minority: bool
    merit: bool
    social_protection: bool
    deficiencies: frozenset[str]


# Each count: (name, meaning). Start-of-period counts read the previous period's reviews.
COUNTS: tuple[tuple[str, str], ...] = (
    ("poor_start", "poor in the previous period"),
    ("poor_start_em", "… of which ethnic minority"),
    ("poor_exited", "left poverty this period"),
    ("poor_relapsed", "poor again after having left poverty before"),
    ("poor_new", "poor for the first time"),
    ("poor_end", "poor this period"),
    ("poor_end_em", "… of which ethnic minority"),
    ("near_start", "near-poor in the previous period"),
    ("near_start_em", "… of which ethnic minority"),
    ("near_exited", "left near-poverty this period"),
    ("near_relapsed", "near-poor again after having left near-poverty before"),
    ("near_new", "near-poor for the first time"),
    ("near_end", "near-poor this period"),
    ("near_end_em", "… of which ethnic minority"),
    ("poor_merit", "poor this period with a person of revolutionary merit"),
    ("poor_social_protection", "poor this period receiving social protection"),
)


def deficiency_key(indicator: str) -> str:
    return f"deficient_{indicator}"


def review_counts(review: ReviewFacts, period: int, indicators: Sequence[str]) -> Counter[str]:
    """Which counts one review adds to its area for the summary of `period`."""
    counted: Counter[str] = Counter()
    em = review.ethnic_minority
    if review.period == period - 1:
        for group, prefix in ((POOR, "poor"), (NEAR_POOR, "near")):
            if review.household_class == group:
                counted[f"{prefix}_start"] += 1
                counted[f"{prefix}_start_em"] += em
        return counted
    if review.period != period:
        return counted
    for movement, prefix in ((review.transition, "poor"), (review.near_poor_transition, "near")):
        key = (
            {
                Transition.EXITED: "exited",
                Transition.RELAPSED: "relapsed",
                Transition.NEWLY_POOR: "new",
            }.get(Transition(movement))
            if movement
            else None
        )
        if key:
            counted[f"{prefix}_{key}"] += 1
    for group, prefix in ((POOR, "poor"), (NEAR_POOR, "near")):
        if review.household_class == group:
            counted[f"{prefix}_end"] += 1
            counted[f"{prefix}_end_em"] += em
    if review.household_class == POOR:
        counted["poor_merit"] += review.merit
        counted["poor_social_protection"] += review.social_protection
    if review.household_class in (POOR, NEAR_POOR):
        for indicator in indicators:
            counted[deficiency_key(indicator)] += indicator in review.deficiencies
    return counted


def summary_counts(
    reviews: Iterable[ReviewFacts], period: int, indicators: Sequence[str]
) -> dict[Hashable, dict[str, int]]:
    """Every count of the summary, per area, with zeros filled in."""
    names = [name for name, _ in COUNTS] + [deficiency_key(i) for i in indicators]
    totals: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for review in reviews:
        totals[review.area].update(review_counts(review, period, indicators))
    return {area: {name: counts[name] for name in names} for area, counts in totals.items()}
