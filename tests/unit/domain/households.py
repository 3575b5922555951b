"""Plain factories for domain tests: a household that is deficient in nothing, and changes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from server.domain.assess import evaluate
from server.domain.household import HouseholdAnswers, Member
from server.domain.standards import Standard, load_standards

REVIEW_YEAR = 2026


def standard(code: str) -> Standard:
    return next(s for s in load_standards() if s.code == code)


def member(age: int | None = 35, **changes: Any) -> Member:
    """An adult with a contract job, insurance and upper-secondary school, unless changed.

    `age=None` leaves out the birth year, as a blank answer would.
    """
    birth_year = None if age is None else REVIEW_YEAR - age
    base = Member(
        name="Hồ Văn A",
        sex="male",
        relation="head",
        birth_year=birth_year,
        in_school=None,
        education="upper_secondary",
        health_insurance=True,
        work="stable_contract",
        malnourished=None,
    )
    return replace(base, **changes)


def household(*members: Member, **changes: Any) -> HouseholdAnswers:
    """A household deficient in nothing and well above every line, unless changed."""
    base = HouseholdAnswers(
        review_year=REVIEW_YEAR,
        village_code="1960301",
        household_code="1960301-012",
        head_name="Hồ Văn A",
        ethnicity="bru_van_kieu",
        ethnic_minority=True,
        merit=False,
        social_protection=False,
        members=members or (member(),),
        household_income_month=Decimal(9_000_000),
        has_house=True,
        non_durable_parts=0,
        floor_area_m2=Decimal(40),
        water_source="piped",
        latrine="septic",
        uses_internet=True,
        info_devices=frozenset({"tv"}),
        hears_loudspeaker=True,
    )
    return replace(base, **changes)


def alone(*people: Member) -> HouseholdAnswers:
    """The members in a household with an adult who is fine on every rule."""
    return household(member(), *people)


def verdict(code: str, answers: HouseholdAnswers, standard_code: str = "nd07_2022") -> bool | None:
    """One indicator's rule applied to the answers: deficient, not, or cannot tell (None)."""
    return evaluate(standard(standard_code).indicator(code), answers)
