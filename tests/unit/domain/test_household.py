"""Household answers: members' ages and the household-code format."""

from __future__ import annotations

import pytest

from server.domain.household import household_code_matches_village
from tests.unit.domain.households import member


@pytest.mark.parametrize(
    ("birth_year", "review_year", "age"),
    [(1990, 2026, 36), (2026, 2026, 0), (2027, 2026, None), (None, 2026, None)],
)
def test_age_is_the_review_year_minus_the_birth_year_and_unknown_when_it_cannot_be(
    birth_year: int | None, review_year: int, age: int | None
) -> None:
    assert member(birth_year=birth_year).age(review_year) == age


def test_a_member_without_birth_year_has_no_age() -> None:
    assert member(age=None).age(2026) is None


@pytest.mark.parametrize(
    ("household_code", "village_code", "matches"),
    [
        ("1960301-012", "1960301", True),
        ("1960301-1", "1960301", True),
        ("1960301-9999", "1960301", True),
        ("1960301-12345", "1960301", False),
        ("1960301-", "1960301", False),
        ("1960301012", "1960301", False),
        ("1960302-012", "1960301", False),
        ("19603011-012", "1960301", False),
        ("x1960301-012", "1960301", False),
        ("1960301-01a", "1960301", False),
        ("1960301-012 ", "1960301", False),
        ("1960301-٣", "1960301", False),
        ("-012", "", False),
        ("CL.01-7", "CL.01", True),
        ("CLX01-7", "CL.01", False),
    ],
)
def test_a_household_code_is_the_village_code_a_dash_and_one_to_four_digits(
    household_code: str, village_code: str, matches: bool
) -> None:
    assert household_code_matches_village(household_code, village_code) is matches
