"""Relapse risk at a follow-up visit: the cadre's judgement, income, deficiencies, shocks."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from server.domain.relapse import RelapseRisk, VisitFacts, poor_income_ceiling, relapse_risk
from tests.unit.domain.households import standard


def visit(
    income: int | None = 9_000_000,
    members: int | None = 3,
    shocks: frozenset[str] = frozenset(),
    deficient: frozenset[str] = frozenset(),
    cadre: str | None = "low",
) -> VisitFacts:
    money = None if income is None else Decimal(income)
    return VisitFacts(money, members, shocks, deficient, cadre)


@pytest.mark.parametrize(
    ("facts", "urban", "reasons"),
    [
        (visit(), False, ()),
        (visit(cadre="high"), False, ("cadre_high",)),
        (visit(cadre="medium"), False, ()),
        (visit(cadre=None), False, ()),
        # rural NĐ 07 line 1 500 000 × 1.2 = 1 800 000 per person
        (visit(income=5_400_000), False, ("income_near_line",)),
        (visit(income=5_400_003), False, ()),
        (visit(income=1_000_000), False, ("income_near_line",)),
        # urban line 2 000 000 × 1.2 = 2 400 000 per person
        (visit(income=7_200_000), True, ("income_near_line",)),
        (visit(income=7_200_003), True, ()),
        (visit(income=None), False, ()),
        (visit(income=1_000_000, members=None), False, ()),
        (visit(income=1_000_000, members=0), False, ()),
        (visit(deficient=frozenset({"latrine"})), False, ()),
        (visit(deficient=frozenset({"latrine", "internet"})), False, ("deficiencies",)),
        (visit(shocks=frozenset({"illness"})), False, ("shock",)),
        (
            visit(
                income=3_000_000,
                shocks=frozenset({"disaster", "crop_loss"}),
                deficient=frozenset({"latrine", "internet", "employment"}),
                cadre="high",
            ),
            False,
            ("cadre_high", "income_near_line", "deficiencies", "shock"),
        ),
    ],
)
def test_a_household_is_at_risk_of_relapse_for_each_reason_that_applies(
    facts: VisitFacts, urban: bool, reasons: tuple[str, ...]
) -> None:
    result = relapse_risk(facts, standard("nd07_2022"), urban=urban)
    assert result == RelapseRisk(at_risk=bool(reasons), reasons=reasons)


def test_a_shock_does_not_count_when_the_standard_says_so() -> None:
    nd07 = standard("nd07_2022")
    calm = replace(nd07, relapse=replace(nd07.relapse, shock_triggers_risk=False))
    result = relapse_risk(visit(shocks=frozenset({"job_loss"})), calm, urban=False)
    assert result == RelapseRisk(at_risk=False, reasons=())


@pytest.mark.parametrize(
    ("code", "urban", "ceiling"),
    [
        ("qd59_2016", False, 1_000_000),  # poor is possible up to the near-poverty line
        ("qd59_2016", True, 1_300_000),
        ("nd07_2022", False, 1_500_000),
        ("nd351_2027", True, 2_800_000),
    ],
)
def test_income_is_compared_with_the_highest_income_at_which_a_household_can_be_poor(
    code: str, urban: bool, ceiling: int
) -> None:
    assert poor_income_ceiling(standard(code), urban=urban) == Decimal(ceiling)
