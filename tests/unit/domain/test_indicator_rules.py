"""Each indicator rule at its boundaries, with thresholds from the shipped standard files.

True: deficient; False: not deficient; None: the answers cannot tell (reported as unassessed).
Unless a test says otherwise the standard is NĐ 07/2021, as in forms/README.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.domain.household import Member
from tests.unit.domain.households import alone, household, member, verdict


@pytest.mark.parametrize(
    ("age", "insured", "expected"),
    [
        (5, False, False),
        (6, False, True),
        (80, False, True),
        (30, True, False),
        (30, None, None),
        (3, None, False),
        (None, False, None),
        (None, True, False),
    ],
)
def test_health_insurance_is_lacking_when_a_member_aged_6_or_over_has_no_card(
    age: int | None, insured: bool | None, expected: bool | None
) -> None:
    assert verdict("health_insurance", alone(member(age, health_insurance=insured))) is expected


@pytest.mark.parametrize(
    ("age", "in_school", "education", "expected"),
    [
        (15, False, "primary", False),
        (16, False, "primary", True),
        (16, False, "none", True),
        (16, False, "lower_secondary", False),
        (17, False, "primary", True),
        (17, True, "primary", False),
        (17, False, "vocational", False),
        (18, False, "lower_secondary", True),
        (18, False, "upper_secondary", False),
        (18, False, "vocational", False),
        (18, True, "lower_secondary", False),
        (30, False, "lower_secondary", True),
        (30, False, "higher", False),
        (31, None, "none", False),
        (16, None, "primary", None),
        (16, None, "lower_secondary", False),
        (20, False, None, None),
        (None, False, "primary", None),
        (None, False, "lower_secondary", None),
        (None, False, "upper_secondary", False),
        (None, True, None, False),
    ],
)
def test_adult_education_looks_at_16_17_year_olds_without_thcs_and_18_30_without_thpt(
    age: int | None, in_school: bool | None, education: str | None, expected: bool | None
) -> None:
    person = member(age, in_school=in_school, education=education)
    assert verdict("adult_education", alone(person)) is expected


@pytest.mark.parametrize(
    ("age", "in_school", "expected"),
    [
        (2, False, False),
        (3, False, True),
        (15, False, True),
        (16, False, False),
        (10, True, False),
        (10, None, None),
        (1, None, False),
        (None, False, None),
        (None, True, False),
    ],
)
def test_child_schooling_is_lacking_when_a_child_aged_3_to_15_is_not_in_school(
    age: int | None, in_school: bool | None, expected: bool | None
) -> None:
    person = member(age, in_school=in_school, education=None, work=None)
    assert verdict("child_schooling", alone(person)) is expected


@pytest.mark.parametrize(
    ("age", "work", "expected"),
    [
        (14, "unemployed", False),
        (15, "unemployed", True),
        (15, "unstable_no_contract", True),
        (60, "unstable_no_contract", True),
        (60, "unemployed", True),
        (61, "unemployed", False),
        (40, "stable_contract", False),
        (40, "self_employed", False),
        (40, "studying", False),
        (40, "unable", False),
        (40, "retired_homemaker", False),
        (40, None, None),
        (10, None, False),
        (None, "unemployed", None),
        (None, "stable_contract", False),
    ],
)
def test_employment_is_lacking_when_a_member_aged_15_to_60_is_unemployed_or_without_contract(
    age: int | None, work: str | None, expected: bool | None
) -> None:
    assert verdict("employment", alone(member(age, work=work))) is expected


@pytest.mark.parametrize(
    ("age", "malnourished", "expected"),
    [
        (0, True, True),
        (15, True, True),
        (16, True, False),
        (10, False, False),
        (10, None, None),
        (20, None, False),
        (None, True, None),
        (None, False, False),
    ],
)
def test_nutrition_is_lacking_when_a_child_under_16_is_stunted_or_underweight(
    age: int | None, malnourished: bool | None, expected: bool | None
) -> None:
    assert verdict("nutrition", alone(member(age, malnourished=malnourished))) is expected


def adult(work: str | None = "stable_contract") -> Member:
    return member(35, work=work)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ((member(10), adult()), False),  # exactly half
        ((member(10), member(70), adult()), True),
        ((member(15), adult()), False),
        ((member(15), member(16), adult()), False),
        ((member(16), member(16)), False),
        ((member(61), member(61), adult()), True),
        ((member(60), member(60), adult()), False),
        ((adult("unable"), adult("unable"), adult()), True),
        ((adult("unable"), adult()), False),
        ((member(10), adult(None)), None),  # the adult might be unable to work
        ((member(10), member(None)), None),
        ((adult(), adult(), member(None)), False),  # even if dependant, 1 of 3 is not > half
        ((member(10), member(10), member(None)), True),
        ((member(None, work="unable"), member(None, work="unable"), adult()), True),
    ],
)
def test_dependants_are_lacking_when_more_than_half_are_children_elderly_or_unable(
    members: tuple[Member, ...], expected: bool | None
) -> None:
    assert verdict("dependants", household(*members)) is expected


@pytest.mark.parametrize(
    ("people", "area", "has_house", "expected"),
    [
        (2, Decimal(16), True, False),
        (2, Decimal("15.9"), True, True),
        (1, Decimal(8), True, False),
        (1, Decimal("7.99"), True, True),
        (3, Decimal(0), True, True),
        (3, None, True, None),
        (3, None, False, True),
        (2, Decimal(16), None, None),
    ],
)
def test_floor_area_is_lacking_below_8_square_metres_per_person_or_without_a_house(
    people: int, area: Decimal | None, has_house: bool | None, expected: bool | None
) -> None:
    answers = household(*[member() for _ in range(people)], floor_area_m2=area, has_house=has_house)
    assert verdict("floor_area", answers) is expected


@pytest.mark.parametrize(
    ("has_house", "parts", "expected"),
    [
        (True, 0, False),
        (True, 1, False),
        (True, 2, True),
        (True, 3, True),
        (False, None, True),
        (True, None, None),
        (None, None, None),
        (None, 3, None),
    ],
)
def test_housing_quality_is_lacking_with_two_non_durable_parts_or_no_house(
    has_house: bool | None, parts: int | None, expected: bool | None
) -> None:
    answers = household(has_house=has_house, non_durable_parts=parts)
    assert verdict("housing_quality", answers) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("piped", False),
        ("drilled_well", False),
        ("protected_dug_well", False),
        ("protected_spring", False),
        ("rain_water", False),
        ("bottled", False),
        ("unprotected_well", True),
        ("unprotected_spring", True),
        ("surface_water", True),
        ("other", True),
        (None, None),
    ],
)
def test_water_source_is_lacking_unless_it_is_a_safe_source(
    source: str | None, expected: bool | None
) -> None:
    assert verdict("water_source", household(water_source=source)) is expected


@pytest.mark.parametrize(
    ("latrine", "expected"),
    [
        ("septic", False),
        ("semi_septic", False),
        ("pour_flush", False),
        ("ventilated_pit", False),
        ("double_vault", False),
        ("simple_pit", True),
        ("none", True),
        ("other", True),
        (None, None),
    ],
)
def test_latrine_is_lacking_unless_it_is_a_hygienic_type(
    latrine: str | None, expected: bool | None
) -> None:
    assert verdict("latrine", household(latrine=latrine)) is expected


@pytest.mark.parametrize(("uses", "expected"), [(True, False), (False, True), (None, None)])
def test_internet_is_lacking_when_no_member_uses_it(
    uses: bool | None, expected: bool | None
) -> None:
    assert verdict("internet", household(uses_internet=uses)) is expected


@pytest.mark.parametrize(
    ("devices", "hears", "expected"),
    [
        (set(), False, True),
        (set(), True, False),
        (set(), None, None),
        ({"tv"}, False, False),
        ({"radio"}, False, False),
        ({"computer"}, False, False),
        ({"smartphone"}, False, False),
        ({"tv"}, None, False),
    ],
)
def test_information_means_are_lacking_with_no_device_and_no_loudspeaker(
    devices: set[str], hears: bool | None, expected: bool | None
) -> None:
    answers = household(info_devices=frozenset(devices), hears_loudspeaker=hears)
    assert verdict("information_means", answers) is expected


@pytest.mark.parametrize(
    "code",
    [
        "employment",
        "dependants",
        "nutrition",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "floor_area",
    ],
)
def test_member_rules_cannot_tell_for_a_household_without_members(code: str) -> None:
    assert verdict(code, household(members=())) is None
