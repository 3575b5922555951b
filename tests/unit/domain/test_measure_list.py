"""The list of the summary's measures (server/domain/measures.py) is consistent: the SQL, the
table and the reference implementation all read it, so a slip in it would reach all three."""

from __future__ import annotations

import pytest

from server.domain.measures import (
    COUNTS,
    NEAR_POOR,
    POOR,
    RATES,
    SUMMARY,
    Count,
    GroupMeasures,
    Rate,
    Whole,
    summary_count_list,
    summary_measures,
)
from server.domain.standards import Standard, load_standards
from server.domain.vocabulary import HouseholdClass, Trait

STANDARDS = load_standards()

# The keys of the published tables (CSV and XLSX column keys, the JSON API's cell names, the
# home page's numbers): renaming one breaks what readers of the tables rely on.
PUBLISHED_KEYS = [
    f"{group}_{key}"
    for group in ("poor", "near")
    for key in (
        "start",
        "start_em",
        "start_rate",
        "exited",
        "exited_rate",
        "relapsed",
        "relapsed_rate",
        "new",
        "new_rate",
        "end",
        "end_rate",
        "end_em",
        "end_em_rate",
    )
] + ["poor_merit", "poor_social_protection"]


def test_the_summary_keeps_the_keys_and_the_order_of_its_published_columns() -> None:
    assert [m.key for m in SUMMARY] == PUBLISHED_KEYS


@pytest.mark.parametrize("standard", STANDARDS, ids=lambda s: s.code)
def test_no_two_columns_of_a_standard_s_summary_share_a_key(standard: Standard) -> None:
    keys = [m.key for m in summary_measures(standard.indicators)]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("standard", STANDARDS, ids=lambda s: s.code)
def test_each_indicator_of_the_standard_adds_one_deficiency_count_after_the_fixed_columns(
    standard: Standard,
) -> None:
    measures = summary_measures(standard.indicators)
    added = measures[len(SUMMARY) :]
    assert measures[: len(SUMMARY)] == SUMMARY
    assert [m.criteria.deficient_in for m in added if isinstance(m, Count)] == [
        i.code for i in standard.indicators
    ]
    assert [(m.label.vi, m.label.en) for m in added] == [
        (i.name_vi, i.name_en) for i in standard.indicators
    ]
    codes = [i.code for i in standard.indicators]
    assert [c.key for c in summary_count_list(codes)] == [
        m.key for m in measures if isinstance(m, Count)
    ]


def test_every_rate_divides_a_count_listed_before_it_under_the_same_heading() -> None:
    for rate in RATES:
        part = SUMMARY.index(rate.part)
        assert part < SUMMARY.index(rate)
        assert rate.heading == rate.part.heading
        assert rate.key == f"{rate.part.key}_rate"


def test_a_start_of_period_rate_divides_by_the_households_of_the_year_before() -> None:
    for rate in RATES:
        before = rate.part.criteria.previous_period
        assert rate.whole is (Whole.RESIDENTS_BEFORE if before else Whole.RESIDENTS)


def test_the_list_is_counts_and_rates_only_and_every_count_is_listed_once() -> None:
    assert all(isinstance(m, Count | Rate) for m in SUMMARY)
    assert list(COUNTS) + list(RATES) == sorted(SUMMARY, key=lambda m: isinstance(m, Rate))
    assert len(set(COUNTS)) == len(COUNTS)


@pytest.mark.parametrize("group", [POOR, NEAR_POOR], ids=["poor", "near_poor"])
def test_an_ethnic_minority_count_counts_what_its_group_count_counts_and_is_ethnic_minority(
    group: GroupMeasures,
) -> None:
    for whole, part in ((group.start, group.start_em), (group.end, group.end_em)):
        assert part.criteria.traits == (*whole.criteria.traits, Trait.ETHNIC_MINORITY)
        assert part.criteria.classes == whole.criteria.classes
        assert part.criteria.previous_period == whole.criteria.previous_period


def test_each_group_counts_its_own_class_and_its_own_movements() -> None:
    for group, cls in ((POOR, HouseholdClass.POOR), (NEAR_POOR, HouseholdClass.NEAR_POOR)):
        assert group.start.criteria.classes == (cls,) and group.start.criteria.previous_period
        assert group.end.criteria.classes == (cls,) and not group.end.criteria.previous_period
        for moved in (group.exited, group.relapsed, group.new):
            assert moved.criteria.movement is not None
            assert moved.criteria.movement.group is cls
            assert moved.criteria.classes == ()
