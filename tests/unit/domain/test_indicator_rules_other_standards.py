"""Indicator rules where QĐ 59/2015 or NĐ 351/2025 differ from NĐ 07/2021."""

from __future__ import annotations

import pytest

from tests.unit.domain.households import alone, household, member, verdict


@pytest.mark.parametrize(
    ("devices", "hears", "expected"),
    [({"smartphone"}, False, True), ({"tv"}, False, False), (set(), True, False)],
)
def test_under_qd59_a_smartphone_is_not_an_information_asset(
    devices: set[str], hears: bool, expected: bool
) -> None:
    answers = household(info_devices=frozenset(devices), hears_loudspeaker=hears)
    assert verdict("information_assets", answers, "qd59_2016") is expected


@pytest.mark.parametrize(
    ("review_year", "birth_year", "education", "expected"),
    [
        (2016, 2001, "primary", True),  # 15
        (2016, 2002, "primary", False),  # 14
        (2016, 1986, "primary", True),  # 30, born 1986
        (2016, 1985, "primary", False),  # born before 1986
        (2021, 1986, "primary", True),  # 35, still born 1986
        (2016, 1990, "lower_secondary", False),
    ],
)
def test_under_qd59_adult_education_looks_at_members_15_and_over_born_from_1986(
    review_year: int, birth_year: int, education: str, expected: bool
) -> None:
    person = member(birth_year=birth_year, in_school=False, education=education)
    answers = household(person, review_year=review_year)
    assert verdict("adult_education", answers, "qd59_2016") is expected


@pytest.mark.parametrize(("age", "expected"), [(4, False), (5, True), (14, True), (15, False)])
def test_under_qd59_child_schooling_looks_at_children_5_to_14(age: int, expected: bool) -> None:
    person = member(age, in_school=False, education=None)
    assert verdict("child_schooling", alone(person), "qd59_2016") is expected


@pytest.mark.parametrize(
    ("standard_code", "code"),
    [
        ("qd59_2016", "health_care_access"),
        ("qd59_2016", "telecom_use"),
        ("nd351_2027", "digital_services"),
        ("nd351_2027", "waste_treatment"),
    ],
)
def test_indicators_the_form_does_not_collect_are_never_assessed(
    standard_code: str, code: str
) -> None:
    worst = household(
        member(10, in_school=False, health_insurance=False, malnourished=True),
        has_house=False,
        water_source="surface_water",
        latrine="none",
        uses_internet=False,
        info_devices=frozenset(),
        hears_loudspeaker=False,
    )
    assert verdict(code, worst, standard_code) is None
    assert verdict(code, household(), standard_code) is None
