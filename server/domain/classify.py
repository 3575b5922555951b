"""Classifying a household from its income per person and its number of deficiencies.

The two rule shapes of reference §2.3 (QĐ 59/2015, two bands, OR) and §3.3 (NĐ 07/2021 and
NĐ 351/2025, one line, AND). Every boundary is inclusive ("≤"), as the legal texts write it.
"""

from __future__ import annotations

from decimal import Decimal

from server.domain.standard_model import IncomeLines, RuleShape, Standard
from server.domain.vocabulary import HouseholdClass
from server.errors import InvalidInput


def classify(
    income_per_person: Decimal, deficiency_count: int, *, urban: bool, standard: Standard
) -> HouseholdClass:
    """Poor, near-poor, middle or not poor under `standard`, for an urban or rural area."""
    if deficiency_count < 0:
        raise InvalidInput(field="deficiency_count", detail="must not be negative")
    lines = standard.lines(urban)
    deprived = deficiency_count >= standard.deficiency_cutoff
    if standard.shape is RuleShape.TWO_BAND_OR:
        return _two_band_or(income_per_person, deprived, lines, standard.code)
    return _single_line_and(income_per_person, deprived, lines)


def _two_band_or(income: Decimal, deprived: bool, lines: IncomeLines, code: str) -> HouseholdClass:
    # QĐ 59: poor on income alone, or in the band above the poverty line with D ≥ cut-off.
    if lines.near_poverty is None:
        raise InvalidInput(field=f"{code}: near_poverty", detail="two_band_or needs it")
    if income <= lines.poverty:
        return HouseholdClass.POOR
    if income <= lines.near_poverty:
        return HouseholdClass.POOR if deprived else HouseholdClass.NEAR_POOR
    return _above_the_poor(income, lines)


def _single_line_and(income: Decimal, deprived: bool, lines: IncomeLines) -> HouseholdClass:
    # Since 2022 nobody is poor on income alone: both conditions are needed.
    if income <= lines.poverty:
        return HouseholdClass.POOR if deprived else HouseholdClass.NEAR_POOR
    return _above_the_poor(income, lines)


def _above_the_poor(income: Decimal, lines: IncomeLines) -> HouseholdClass:
    return HouseholdClass.MIDDLE if income <= lines.middle else HouseholdClass.NOT_POOR
