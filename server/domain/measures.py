"""The measures of the review summary table (reference §5.3): one typed list, in plain Python.

Each count says which reviews it counts (its `Criteria`), each rate which count it divides by
which number of resident households, and both carry their column's label and heading. Three
readers share the list instead of spelling "poor_start" each: the SQL (server/storage/reports.py
turns each count's criteria into a column of one grouped query, because a district's registry
is large), the table (server/services/reports.py lays the columns out and derives the rates)
and `summary_counts` below, the reference implementation the SQL is tested against.
Counts are per area and period; start-of-period counts read the previous period's reviews.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from server.domain.standard_model import Indicator
from server.domain.vocabulary import HouseholdClass, Trait, Transition


class Whole(StrEnum):
    """What a rate divides by: the resident households of the area, this year or the year
    before (the start-of-period counts are shares of the households then)."""

    RESIDENTS = "residents"
    RESIDENTS_BEFORE = "residents_before"


@dataclass(frozen=True)
class Label:
    vi: str
    en: str


@dataclass(frozen=True)
class Movement:
    """The movement of one group: the poor group's is the review's `transition`, the
    near-poor group's its `near_poor_transition`."""

    group: HouseholdClass
    transition: Transition


@dataclass(frozen=True)
class Criteria:
    """Which reviews a count counts; every condition given must hold."""

    previous_period: bool = False  # the review of the year before, else of the year itself
    classes: tuple[HouseholdClass, ...] = ()  # in one of these classes; empty: any class
    movement: Movement | None = None
    traits: tuple[Trait, ...] = ()
    deficient_in: str | None = None  # an indicator code


@dataclass(frozen=True)
class Count:
    key: str
    label: Label
    heading: Label  # the group of columns it stands under
    criteria: Criteria


@dataclass(frozen=True)
class Rate:
    key: str
    label: Label
    heading: Label
    part: Count
    whole: Whole


Measure = Count | Rate


@dataclass(frozen=True)
class GroupMeasures:
    """The counts of one group (the poor or the near-poor) and its columns in table order:
    at the start of the period, its movements during the year, at the end."""

    start: Count
    start_em: Count
    exited: Count
    relapsed: Count
    new: Count
    end: Count
    end_em: Count
    columns: tuple[Measure, ...]


def _rate(count: Count, label: Label, whole: Whole = Whole.RESIDENTS) -> Rate:
    return Rate(f"{count.key}_rate", label, count.heading, count, whole)


def _group(group: HouseholdClass, prefix: str, name: Label) -> GroupMeasures:
    member, em = (group,), (Trait.ETHNIC_MINORITY,)
    start = Label(f"{name.vi} đầu kỳ", f"{name.en} at the start")
    moves = Label(f"Diễn biến {name.vi.lower()} trong năm", f"Movements of the {name.en.lower()}")
    end = Label(f"{name.vi} cuối kỳ", f"{name.en} at the end")
    households, of_em = Label("Số hộ", "Households"), Label("Hộ DTTS", "Ethnic minority")

    def moved(key: str, label: Label, transition: Transition) -> Count:
        criteria = Criteria(movement=Movement(group, transition))
        return Count(f"{prefix}_{key}", label, moves, criteria)

    first = Count(f"{prefix}_start", households, start, Criteria(True, member))
    first_em = Count(
        f"{prefix}_start_em",
        Label("Trong đó DTTS", "Of which ethnic minority"),
        start,
        Criteria(True, member, traits=em),
    )
    exited = moved("exited", Label("Thoát", "Exited"), Transition.EXITED)
    relapsed = moved("relapsed", Label("Tái", "Relapsed"), Transition.RELAPSED)
    new = moved("new", Label("Phát sinh", "Newly"), Transition.NEWLY_POOR)
    last = Count(f"{prefix}_end", households, end, Criteria(classes=member))
    last_em = Count(f"{prefix}_end_em", of_em, end, Criteria(classes=member, traits=em))
    columns = (
        first,
        first_em,
        _rate(first, Label("Tỷ lệ", "Rate"), Whole.RESIDENTS_BEFORE),
        exited,
        _rate(exited, Label("Tỷ lệ thoát", "Exited, rate")),
        relapsed,
        _rate(relapsed, Label("Tỷ lệ tái", "Relapsed, rate")),
        new,
        _rate(new, Label("Tỷ lệ phát sinh", "Newly, rate")),
        last,
        _rate(last, Label("Tỷ lệ", "Rate")),
        last_em,
        _rate(last_em, Label("Tỷ lệ DTTS", "Ethnic minority, rate")),
    )
    return GroupMeasures(first, first_em, exited, relapsed, new, last, last_em, columns)


POOR = _group(HouseholdClass.POOR, "poor", Label("Hộ nghèo", "Poor households"))
NEAR_POOR = _group(HouseholdClass.NEAR_POOR, "near", Label("Hộ cận nghèo", "Near-poor households"))

_AMONG_POOR = Label("Trong số hộ nghèo cuối kỳ", "Among the poor at the end")
POOR_MERIT = Count(
    "poor_merit",
    Label("Có người có công", "With a person of merit"),
    _AMONG_POOR,
    Criteria(classes=(HouseholdClass.POOR,), traits=(Trait.MERIT,)),
)
POOR_SOCIAL_PROTECTION = Count(
    "poor_social_protection",
    Label("Hưởng bảo trợ xã hội", "Social protection"),
    _AMONG_POOR,
    Criteria(classes=(HouseholdClass.POOR,), traits=(Trait.SOCIAL_PROTECTION,)),
)
DEFICIENT = Label("Hộ nghèo và cận nghèo thiếu hụt", "Poor and near-poor deficient in")

# Every column of the summary that does not depend on the standard, in table order; the
# standard's indicators add one deficiency count each after them (`summary_measures`).
SUMMARY: tuple[Measure, ...] = (
    *POOR.columns,
    *NEAR_POOR.columns,
    POOR_MERIT,
    POOR_SOCIAL_PROTECTION,
)
COUNTS: tuple[Count, ...] = tuple(m for m in SUMMARY if isinstance(m, Count))
RATES: tuple[Rate, ...] = tuple(m for m in SUMMARY if isinstance(m, Rate))


def deficiency_key(indicator: str) -> str:
    return f"deficient_{indicator}"


def deficiency(indicator: str, label: Label | None = None) -> Count:
    """Poor and near-poor households of the period deficient in `indicator`."""
    return Count(
        deficiency_key(indicator),
        label or Label(indicator, indicator),
        DEFICIENT,
        Criteria(
            classes=(HouseholdClass.POOR, HouseholdClass.NEAR_POOR), deficient_in=indicator
        ),
    )


def summary_measures(indicators: Iterable[Indicator]) -> tuple[Measure, ...]:
    """The columns of the summary under a standard with these indicators, in table order."""
    named = (deficiency(i.code, Label(i.name_vi, i.name_en)) for i in indicators)
    return (*SUMMARY, *named)


def summary_count_list(indicators: Sequence[str]) -> tuple[Count, ...]:
    """The counts the summary needs from the registry (its rates are derived from them)."""
    return (*COUNTS, *(deficiency(i) for i in indicators))


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

    def moved(self, group: HouseholdClass) -> str | None:
        return self.transition if group is HouseholdClass.POOR else self.near_poor_transition

    def has(self, trait: Trait) -> bool:
        flags = {
            Trait.ETHNIC_MINORITY: self.ethnic_minority,
            Trait.MERIT: self.merit,
            Trait.SOCIAL_PROTECTION: self.social_protection,
        }
        return flags[trait]


def counts_review(criteria: Criteria, review: ReviewFacts, period: int) -> bool:
    """Whether a count with these criteria counts `review` in the summary of `period`."""
    movement = criteria.movement
    return (
        review.period == (period - 1 if criteria.previous_period else period)
        and (not criteria.classes or review.household_class in criteria.classes)
        and (movement is None or review.moved(movement.group) == movement.transition)
        and all(review.has(trait) for trait in criteria.traits)
        and (criteria.deficient_in is None or criteria.deficient_in in review.deficiencies)
    )


def review_counts(review: ReviewFacts, period: int, indicators: Sequence[str]) -> Counter[str]:
    """Which counts one review adds to its area for the summary of `period`."""
    return Counter(
        {
            count.key: 1
            for count in summary_count_list(indicators)
            if counts_review(count.criteria, review, period)
        }
    )


def summary_counts(
    reviews: Iterable[ReviewFacts], period: int, indicators: Sequence[str]
) -> dict[Hashable, dict[str, int]]:
    """Every count of the summary, per area, with zeros filled in."""
    names = [count.key for count in summary_count_list(indicators)]
    totals: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for review in reviews:
        totals[review.area].update(review_counts(review, period, indicators))
    return {area: {name: counts[name] for name in names} for area, counts in totals.items()}
