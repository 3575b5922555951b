"""Assessing a whole review: income per person, deficient and unassessed indicators, class."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from server.domain.assess import assess, evaluate, income_per_person
from server.domain.standards import HouseholdClass
from server.errors import InvalidInput
from tests.unit.domain.households import household, member, standard


@pytest.mark.parametrize(
    ("income", "members", "expected"),
    [
        (Decimal(3_000_000), 2, Decimal(1_500_000)),
        (Decimal(1_000_000), 3, Decimal(333_333)),
        (Decimal(2_000_000), 3, Decimal(666_667)),
        (Decimal(1_000_001), 2, Decimal(500_001)),  # 500 000.5 rounds half up
        (Decimal(0), 4, Decimal(0)),
        (None, 3, None),
        (Decimal(1_000_000), 0, None),
        (Decimal(1_000_000), None, None),
    ],
)
def test_income_per_person_is_rounded_to_whole_dong_half_up(
    income: Decimal | None, members: int | None, expected: Decimal | None
) -> None:
    assert income_per_person(income, members) == expected


def test_a_household_lacking_nothing_with_a_good_income_is_not_poor() -> None:
    result = assess(household(), standard("nd07_2022"), urban=False)
    assert result.standard_code == "nd07_2022"
    assert result.income_per_person == Decimal(9_000_000)
    assert (result.deficient, result.unassessed, result.deficiency_count) == (
        frozenset(),
        frozenset(),
        0,
    )
    assert result.household_class is HouseholdClass.NOT_POOR


def test_three_deficiencies_under_the_line_make_a_household_poor_under_nd07() -> None:
    answers = household(
        member(40, work="unemployed"),
        member(8, in_school=False, education=None, work=None, malnourished=False),
        household_income_month=Decimal(3_000_000),
        latrine="simple_pit",
    )
    result = assess(answers, standard("nd07_2022"), urban=False)
    assert result.income_per_person == Decimal(1_500_000)
    assert result.deficient == {"employment", "child_schooling", "latrine"}
    assert result.deficiency_count == 3
    assert result.household_class is HouseholdClass.POOR
    assert assess(answers, standard("nd07_2022"), urban=True).household_class is (
        HouseholdClass.POOR
    )
    fewer = replace(answers, latrine="septic")
    assert assess(fewer, standard("nd07_2022"), urban=False).household_class is (
        HouseholdClass.NEAR_POOR
    )


def test_missing_answers_are_unassessed_not_deficient() -> None:
    answers = household(
        member(40, health_insurance=None),
        water_source=None,
        uses_internet=None,
        household_income_month=Decimal(1_000_000),
    )
    result = assess(answers, standard("nd07_2022"), urban=False)
    assert result.unassessed == {"health_insurance", "water_source", "internet"}
    assert result.deficient == frozenset()
    assert result.household_class is HouseholdClass.NEAR_POOR


def test_indicators_the_form_does_not_ask_are_unassessed_under_qd59() -> None:
    answers = household(review_year=2020, household_income_month=Decimal(600_000))
    result = assess(answers, standard("qd59_2016"), urban=False)
    assert result.unassessed == {"health_care_access", "telecom_use"}
    assert result.household_class is HouseholdClass.POOR  # income alone under QĐ 59


def test_without_income_there_is_no_class_but_indicators_are_still_assessed() -> None:
    answers = household(household_income_month=None, latrine="none")
    result = assess(answers, standard("nd07_2022"), urban=False)
    assert result.income_per_person is None
    assert result.household_class is None
    assert result.deficient == {"latrine"}


def test_without_members_there_is_no_income_per_person_and_member_rules_are_unassessed() -> None:
    result = assess(household(members=()), standard("nd07_2022"), urban=False)
    assert result.income_per_person is None
    assert result.household_class is None
    assert {"employment", "dependants", "floor_area"} <= result.unassessed


def test_an_indicator_with_an_unknown_rule_kind_is_refused() -> None:
    broken = replace(standard("nd07_2022").indicator("latrine"), rule="latrine_v2")
    with pytest.raises(InvalidInput):
        evaluate(broken, household())


def test_a_rule_given_a_parameter_of_the_wrong_type_is_refused() -> None:
    broken = replace(standard("nd07_2022").indicator("nutrition"), params={"max_age": "15"})
    with pytest.raises(InvalidInput) as caught:
        evaluate(broken, household())
    assert caught.value.params["field"] == "params.max_age"


def test_the_class_is_decided_on_the_exact_income_not_the_rounded_one_shown() -> None:
    answers = household(
        member(40, work="unemployed"),
        member(38, work="unemployed"),
        member(8, in_school=False, education=None, work=None, malnourished=False),
        household_income_month=Decimal(4_500_001),
        latrine="simple_pit",
    )
    result = assess(answers, standard("nd07_2022"), urban=False)
    assert result.income_per_person == Decimal(1_500_000), "shown rounded to whole đồng"
    assert result.deficiency_count >= 3
    assert result.household_class is HouseholdClass.MIDDLE, "1,500,000.33 is above the line"
