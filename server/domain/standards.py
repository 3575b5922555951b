"""Poverty standards as data: loading the shipped files and finding the one for a review year.

The numbers, indicators and thresholds live in `data/standards/*.toml`, one file per standard,
so that an officer can correct a threshold without touching code (reference §0 [D]). This
module checks what spans files: together the standards must cover a contiguous run of years
without overlaps, so every review year has exactly one standard.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from server.domain.periods import ReviewPeriod
from server.domain.standard_file import read_standard
from server.domain.standard_model import (
    IncomeLines,
    Indicator,
    ListYearsNote,
    RelapseRules,
    RuleShape,
    Standard,
    Support,
)
from server.domain.vocabulary import HouseholdClass
from server.errors import InvalidInput, NoStandardForYear

__all__ = [
    "DEFAULT_FOLDER",
    "HouseholdClass",
    "IncomeLines",
    "Indicator",
    "ListYearsNote",
    "RelapseRules",
    "ReviewPeriod",
    "RuleShape",
    "Standard",
    "Support",
    "load_standards",
    "standard_for_period",
    "standard_for_year",
]

DEFAULT_FOLDER = Path(__file__).parent / "data" / "standards"


def load_standards(folder: Path | None = None) -> tuple[Standard, ...]:
    """Every standard in `folder` (default: the shipped ones), checked, by first year.

    Raises InvalidInput naming the file and key of the first mistake found.
    """
    if folder is None:
        return _load_default()
    return _load(folder)


@functools.cache
def _load_default() -> tuple[Standard, ...]:
    # The shipped files do not change while the process runs; other folders are re-read.
    return _load(DEFAULT_FOLDER)


def _load(folder: Path) -> tuple[Standard, ...]:
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise InvalidInput(field=str(folder), detail="no standard files (*.toml) in this folder")
    loaded = sorted(
        ((path.name, read_standard(path)) for path in paths), key=lambda item: item[1].first_year
    )
    _check_years(loaded)
    return tuple(standard for _, standard in loaded)


def _check_years(loaded: Sequence[tuple[str, Standard]]) -> None:
    for (before_file, before), (file, standard) in pairwise(loaded):
        span = f"{before_file} covers {before.first_year}–{before.last_year}"
        if standard.first_year <= before.last_year:
            raise InvalidInput(field=f"{file}: first_year", detail=f"overlaps: {span}")
        if standard.first_year > before.last_year + 1:
            raise InvalidInput(
                field=f"{file}: first_year",
                detail=f"leaves a gap: {span}, so {before.last_year + 1} has no standard",
            )


def standard_for_year(year: int, standards: Sequence[Standard] | None = None) -> Standard:
    """The standard the list of `year` is classified under (the period is the list year: the
    2026 list still uses NĐ 07/2021; the 2027 list, reviewed in late 2026, uses NĐ 351/2025).

    Raises NoStandardForYear (a NotFound) naming the years the standards do cover: a year
    outside them is never classified under a neighbouring standard.
    """
    candidates = load_standards() if standards is None else standards
    for standard in candidates:
        if standard.covers(year):
            return standard
    raise NoStandardForYear(
        list_year=year, covered=_covered(candidates), what=f"poverty standard for {year}"
    )


def standard_for_period(
    period: ReviewPeriod, standards: Sequence[Standard] | None = None
) -> Standard:
    """The standard of the period's list (`standard_for_year` of its list year)."""
    return standard_for_year(period.list_year, standards)


def _covered(standards: Sequence[Standard]) -> str:
    if not standards:
        return "—"
    return f"{min(s.first_year for s in standards)}–{max(s.last_year for s in standards)}"
