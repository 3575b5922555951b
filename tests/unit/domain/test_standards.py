"""The shipped standard files, the loader's checks, and choosing the standard for a year."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from server.domain.rule_params import in_file_order
from server.domain.standards import (
    DEFAULT_FOLDER,
    IncomeLines,
    RuleShape,
    Standard,
    load_standards,
    standard_for_year,
)
from server.errors import NotFound
from tests.unit.domain.households import standard

# The indicator table of forms/README.md, in its order.
ND07_CODES = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "floor_area",
    "water_source",
    "latrine",
    "internet",
    "information_means",
)
QD59_CODES = (
    "health_care_access",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "floor_area",
    "water_source",
    "latrine",
    "telecom_use",
    "information_assets",
)
ND351_CODES = (
    "employment",
    "dependants",
    "health_insurance",
    "nutrition",
    "adult_education",
    "child_schooling",
    "floor_area",
    "housing_quality",
    "digital_services",
    "internet_access",
    "water_source",
    "latrine",
    "waste_treatment",
)


def lines(poverty: int, near: int | None, middle: int) -> tuple[Decimal, Decimal | None, Decimal]:
    return Decimal(poverty), None if near is None else Decimal(near), Decimal(middle)


def as_numbers(income_lines: IncomeLines) -> tuple[Decimal, Decimal | None, Decimal]:
    return income_lines.poverty, income_lines.near_poverty, income_lines.middle


# --- the shipped files -------------------------------------------------------------------------


def test_the_three_shipped_standards_load_in_order_of_their_years() -> None:
    loaded = load_standards()
    assert [s.code for s in loaded] == ["qd59_2016", "nd07_2022", "nd351_2027"]
    assert [(s.first_year, s.last_year) for s in loaded] == [
        (2016, 2021),
        (2022, 2026),
        (2027, 2030),
    ]


@pytest.mark.parametrize(
    ("code", "shape", "rural", "urban", "codes"),
    [
        (
            "qd59_2016",
            RuleShape.TWO_BAND_OR,
            lines(700_000, 1_000_000, 1_500_000),
            lines(900_000, 1_300_000, 1_950_000),
            QD59_CODES,
        ),
        (
            "nd07_2022",
            RuleShape.SINGLE_LINE_AND,
            lines(1_500_000, None, 2_250_000),
            lines(2_000_000, None, 3_000_000),
            ND07_CODES,
        ),
        (
            "nd351_2027",
            RuleShape.SINGLE_LINE_AND,
            lines(2_200_000, None, 3_300_000),
            lines(2_800_000, None, 4_200_000),
            ND351_CODES,
        ),
    ],
)
def test_each_standard_has_its_rule_shape_lines_and_indicators(
    code: str,
    shape: RuleShape,
    rural: tuple[Decimal, Decimal | None, Decimal],
    urban: tuple[Decimal, Decimal | None, Decimal],
    codes: tuple[str, ...],
) -> None:
    rules = standard(code)
    assert rules.shape is shape
    assert rules.deficiency_cutoff == 3
    assert as_numbers(rules.lines(urban=False)) == rural
    assert as_numbers(rules.lines(urban=True)) == urban
    assert tuple(i.code for i in rules.indicators) == codes


def test_nd07_thresholds_are_those_of_the_form_contract() -> None:
    nd07 = standard("nd07_2022")
    employment = nd07.indicator("employment").params
    assert (employment["min_age"], employment["max_age"]) == (15, 60)
    assert employment["deficient_work"] == frozenset({"unemployed", "unstable_no_contract"})
    assert nd07.indicator("dependants").params["max_share"] == Decimal("0.5")
    assert nd07.indicator("floor_area").params["min_m2_per_person"] == Decimal(8)
    assert nd07.indicator("health_insurance").params["min_age"] == 6


def test_answer_lists_keep_the_order_of_the_standard_file_for_the_form_builder() -> None:
    nd07 = standard("nd07_2022")
    water = nd07.indicator("water_source").params["safe_sources"]
    assert isinstance(water, frozenset)
    assert in_file_order(water) == (
        "piped",
        "drilled_well",
        "protected_dug_well",
        "protected_spring",
        "rain_water",
        "bottled",
    )
    [_, adults] = nd07.indicator("adult_education").params["bands"]
    assert in_file_order(adults.finished) == ("upper_secondary", "vocational", "higher")
    assert in_file_order(frozenset({"b", "a"})) == ("a", "b"), "a set built by hand: sorted"


@pytest.mark.parametrize("rules", load_standards(), ids=lambda s: s.code)
def test_every_indicator_carries_names_a_support_and_an_honest_provisional_flag(
    rules: Standard,
) -> None:
    for indicator in rules.indicators:
        assert indicator.name_vi and indicator.name_en
        assert indicator.dimension_vi and indicator.dimension_en
        assert indicator.support.action_vi and indicator.support.responsible_en
        assert indicator.source_mark in {"V", "S", "R", "D"}
        # Only a threshold checked against a public page may be final.
        assert indicator.provisional or indicator.source_mark == "V"
    assert rules.income_support.action_vi
    assert rules.relapse.income_margin == Decimal("0.2")
    assert rules.relapse.min_deficiencies == 2
    assert rules.relapse.shock_triggers_risk is True


def test_nd351_is_provisional_as_a_whole_and_its_middle_lines_are_marked() -> None:
    nd351 = standard("nd351_2027")
    assert nd351.provisional
    assert all(indicator.provisional for indicator in nd351.indicators)
    assert nd351.rural.provisional == nd351.urban.provisional == frozenset({"middle"})
    assert not standard("qd59_2016").provisional
    assert standard("qd59_2016").rural.provisional == frozenset()


def test_an_indicator_is_found_by_code_and_an_unknown_code_is_not_found() -> None:
    nd07 = standard("nd07_2022")
    assert nd07.indicator("latrine").dimension == "water_sanitation"
    with pytest.raises(NotFound):
        nd07.indicator("telecom_use")


def test_the_default_folder_is_read_once_and_an_explicit_folder_gives_equal_values(
    tmp_path: Path,
) -> None:
    assert load_standards() is load_standards()
    copy = shutil.copytree(DEFAULT_FOLDER, tmp_path / "standards")
    assert load_standards(copy) == load_standards()
    assert load_standards(copy) is not load_standards(copy)


# --- choosing the standard for a review year -----------------------------------------------------


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2016, "qd59_2016"),
        (2021, "qd59_2016"),
        (2022, "nd07_2022"),
        (2026, "nd07_2022"),
        (2027, "nd351_2027"),
        (2030, "nd351_2027"),
    ],
)
def test_each_review_year_uses_the_standard_in_force(year: int, code: str) -> None:
    assert standard_for_year(year).code == code


@pytest.mark.parametrize("year", [2015, 2031])
def test_a_year_outside_every_standard_has_none(year: int) -> None:
    with pytest.raises(NotFound) as caught:
        standard_for_year(year)
    assert caught.value.params["what"] == f"poverty standard for {year}"


def test_the_standard_for_a_year_can_be_chosen_among_given_standards() -> None:
    only_nd07 = [standard("nd07_2022")]
    assert standard_for_year(2024, only_nd07).code == "nd07_2022"
    with pytest.raises(NotFound):
        standard_for_year(2019, only_nd07)


@pytest.mark.parametrize(
    ("year", "vi", "en"),
    [
        (
            2025,
            "Chuẩn nghèo đa chiều giai đoạn 2022–2025",
            "Multidimensional poverty standard 2022–2025",
        ),
        (
            2026,
            "Chuẩn nghèo đa chiều giai đoạn 2022–2025, áp dụng cho năm 2026",
            "Multidimensional poverty standard 2022–2025, applied to 2026",
        ),
    ],
)
def test_a_list_year_beyond_the_years_a_standard_s_title_names_says_it_is_applied_to_it(
    year: int, vi: str, en: str
) -> None:
    standard = standard_for_year(year)
    assert (standard.caption_for(year, "vi"), standard.caption_for(year, "en")) == (vi, en)


def test_a_standard_whose_title_names_all_its_years_is_named_by_its_caption_alone() -> None:
    nd351 = standard_for_year(2027)
    assert nd351.named_last_year is None
    assert nd351.caption_for(2027, "vi") == nd351.caption("vi")
