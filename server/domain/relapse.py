"""Relapse risk of a household that recently left poverty, from one follow-up visit.

The thresholds are the standard's `[relapse_risk]` table (reference §6 [D]). Reasons are
listed in a fixed order so that reports and tests can rely on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server.domain.assess import income_per_person
from server.domain.standard_model import RuleShape, Standard

CADRE_HIGH = "cadre_high"
INCOME_NEAR_LINE = "income_near_line"
DEFICIENCIES = "deficiencies"
SHOCK = "shock"


@dataclass(frozen=True)
class VisitFacts:
    household_income_month: Decimal | None
    member_count: int | None
    shocks: frozenset[str]
    recheck_deficient: frozenset[str]
    cadre_risk: str | None


@dataclass(frozen=True)
class RelapseRisk:
    at_risk: bool
    reasons: tuple[str, ...]


def poor_income_ceiling(standard: Standard, *, urban: bool) -> Decimal:
    """The highest income per person at which a household can still be poor."""
    lines = standard.lines(urban)
    # Under two bands, a household up to the near-poverty line is poor with enough deficiencies.
    if standard.shape is RuleShape.TWO_BAND_OR and lines.near_poverty is not None:
        return lines.near_poverty
    return lines.poverty


def _income_near_line(visit: VisitFacts, standard: Standard, *, urban: bool) -> bool:
    income = income_per_person(visit.household_income_month, visit.member_count)
    if income is None:
        return False
    ceiling = poor_income_ceiling(standard, urban=urban)
    return income <= ceiling * (1 + standard.relapse.income_margin)


def relapse_risk(visit: VisitFacts, standard: Standard, *, urban: bool) -> RelapseRisk:
    rules = standard.relapse
    checks = (
        (CADRE_HIGH, visit.cadre_risk == "high"),
        (INCOME_NEAR_LINE, _income_near_line(visit, standard, urban=urban)),
        (DEFICIENCIES, len(visit.recheck_deficient) >= rules.min_deficiencies),
        (SHOCK, rules.shock_triggers_risk and bool(visit.shocks)),
    )
    reasons = tuple(reason for reason, applies in checks if applies)
    return RelapseRisk(at_risk=bool(reasons), reasons=reasons)
