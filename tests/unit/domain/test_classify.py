"""Classification under the three shipped standards, at and around every line (reference §2.3,
§3.3, §4). Lines are inclusive: income exactly on a line belongs to the band below it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from server.domain.classify import classify
from server.domain.standards import HouseholdClass
from server.errors import InvalidInput
from tests.unit.domain.households import standard

POOR, NEAR = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
MIDDLE, NOT_POOR = HouseholdClass.MIDDLE, HouseholdClass.NOT_POOR

QD59 = [
    # rural: poverty 700 000, near-poverty 1 000 000, middle 1 500 000
    (False, 0, 0, POOR),
    (False, 699_999, 0, POOR),
    (False, 700_000, 0, POOR),
    (False, 700_000, 10, POOR),
    (False, 700_001, 0, NEAR),
    (False, 700_001, 2, NEAR),
    (False, 700_001, 3, POOR),
    (False, 999_999, 2, NEAR),
    (False, 1_000_000, 2, NEAR),
    (False, 1_000_000, 3, POOR),
    (False, 1_000_001, 3, MIDDLE),
    (False, 1_000_001, 5, MIDDLE),
    (False, 1_000_001, 0, MIDDLE),
    (False, 1_500_000, 10, MIDDLE),
    (False, 1_500_001, 0, NOT_POOR),
    (False, 1_500_001, 10, NOT_POOR),
    # urban: poverty 900 000, near-poverty 1 300 000, middle 1 950 000
    (True, 700_001, 0, POOR),
    (True, 900_000, 0, POOR),
    (True, 900_001, 2, NEAR),
    (True, 900_001, 3, POOR),
    (True, 1_000_001, 3, POOR),
    (True, 1_300_000, 2, NEAR),
    (True, 1_300_000, 3, POOR),
    (True, 1_300_001, 3, MIDDLE),
    (True, 1_500_001, 0, MIDDLE),
    (True, 1_950_000, 0, MIDDLE),
    (True, 1_950_001, 0, NOT_POOR),
]

ND07 = [
    # rural: line 1 500 000, middle 2 250 000; nobody is poor on income alone
    (False, 0, 0, NEAR),
    (False, 0, 2, NEAR),
    (False, 0, 3, POOR),
    (False, 1_499_999, 3, POOR),
    (False, 1_500_000, 2, NEAR),
    (False, 1_500_000, 3, POOR),
    (False, 1_500_000, 12, POOR),
    (False, 1_500_001, 3, MIDDLE),
    (False, 1_500_001, 12, MIDDLE),
    (False, 2_250_000, 0, MIDDLE),
    (False, 2_250_001, 0, NOT_POOR),
    (False, 2_250_001, 12, NOT_POOR),
    # urban: line 2 000 000, middle 3 000 000
    (True, 1_500_001, 3, POOR),
    (True, 2_000_000, 2, NEAR),
    (True, 2_000_000, 3, POOR),
    (True, 2_000_001, 3, MIDDLE),
    (True, 2_250_001, 0, MIDDLE),
    (True, 3_000_000, 3, MIDDLE),
    (True, 3_000_001, 0, NOT_POOR),
]

ND351 = [
    # rural: line 2 200 000, middle 3 300 000 (provisional)
    (False, 0, 2, NEAR),
    (False, 2_199_999, 3, POOR),
    (False, 2_200_000, 2, NEAR),
    (False, 2_200_000, 3, POOR),
    (False, 2_200_001, 3, MIDDLE),
    (False, 3_300_000, 0, MIDDLE),
    (False, 3_300_001, 0, NOT_POOR),
    # urban: line 2 800 000, middle 4 200 000 (provisional)
    (True, 2_200_001, 3, POOR),
    (True, 2_800_000, 2, NEAR),
    (True, 2_800_000, 3, POOR),
    (True, 2_800_001, 3, MIDDLE),
    (True, 4_200_000, 0, MIDDLE),
    (True, 4_200_001, 0, NOT_POOR),
]

CASES = [("qd59_2016", *case) for case in QD59]
CASES += [("nd07_2022", *case) for case in ND07]
CASES += [("nd351_2027", *case) for case in ND351]


@pytest.mark.parametrize(("standard_code", "urban", "income", "deficiencies", "expected"), CASES)
def test_households_are_classified_by_income_and_deficiencies_with_inclusive_lines(
    standard_code: str, urban: bool, income: int, deficiencies: int, expected: HouseholdClass
) -> None:
    result = classify(Decimal(income), deficiencies, urban=urban, standard=standard(standard_code))
    assert result is expected


@pytest.mark.parametrize(
    ("standard_code", "income", "deficiencies", "rural", "urban"),
    [
        ("qd59_2016", 800_000, 0, NEAR, POOR),
        ("qd59_2016", 1_200_000, 3, MIDDLE, POOR),
        ("nd07_2022", 1_800_000, 3, MIDDLE, POOR),
        ("nd07_2022", 2_500_000, 0, NOT_POOR, MIDDLE),
        ("nd351_2027", 2_500_000, 3, MIDDLE, POOR),
    ],
)
def test_the_same_household_can_be_poor_in_a_town_and_not_in_the_countryside(
    standard_code: str,
    income: int,
    deficiencies: int,
    rural: HouseholdClass,
    urban: HouseholdClass,
) -> None:
    rules = standard(standard_code)
    assert classify(Decimal(income), deficiencies, urban=False, standard=rules) is rural
    assert classify(Decimal(income), deficiencies, urban=True, standard=rules) is urban


def test_amounts_with_fractions_of_a_dong_are_compared_exactly() -> None:
    rules = standard("nd07_2022")
    assert classify(Decimal("1500000.00"), 3, urban=False, standard=rules) is POOR
    assert classify(Decimal("1500000.01"), 3, urban=False, standard=rules) is MIDDLE


def test_a_negative_deficiency_count_is_refused() -> None:
    with pytest.raises(InvalidInput):
        classify(Decimal(1), -1, urban=False, standard=standard("nd07_2022"))


def test_a_two_band_standard_without_near_poverty_line_is_refused() -> None:
    qd59 = standard("qd59_2016")
    broken = replace(qd59, rural=replace(qd59.rural, near_poverty=None))
    with pytest.raises(InvalidInput) as caught:
        classify(Decimal(800_000), 0, urban=False, standard=broken)
    assert caught.value.params["field"] == "qd59_2016: near_poverty"
