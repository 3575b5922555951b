"""The answers of one household review, as the domain sees them.

These types mirror the `household_survey` form (forms/README.md): the server extracts them from
the instance XML (server/formats) and the domain never sees XML or ORM rows. A question the
phone did not ask (its relevance was false) or the cadre left blank is `None`, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# `[0-9]`, not `\d`: `\d` also matches non-ASCII digits, which no household code contains.
_HOUSEHOLD_NUMBER = "-[0-9]{1,4}"
SCORING_METHOD = "score"  # the `income_method` answer of the scoring method


@dataclass(frozen=True)
class Member:
    """One member of the `member` repeat; `None` means not asked or not answered."""

    name: str
    sex: str | None
    relation: str | None
    birth_year: int | None
    in_school: bool | None
    education: str | None
    health_insurance: bool | None
    work: str | None
    malnourished: bool | None

    def age(self, review_year: int) -> int | None:
        """Age as the form computes it (`review_year - m_birth_year`).

        `None` when the birth year is missing or lies after the review year: such a member
        cannot be judged by any rule that depends on age.
        """
        if self.birth_year is None or self.birth_year > review_year:
            return None
        return review_year - self.birth_year


@dataclass(frozen=True)
class HouseholdAnswers:
    """Everything the indicator rules and the classification read from one review."""

    review_year: int
    village_code: str
    household_code: str
    head_name: str
    ethnicity: str | None
    ethnic_minority: bool
    merit: bool
    social_protection: bool
    members: tuple[Member, ...]
    household_income_month: Decimal | None
    has_house: bool | None
    non_durable_parts: int | None
    floor_area_m2: Decimal | None
    water_source: str | None
    latrine: str | None
    uses_internet: bool | None
    info_devices: frozenset[str]
    hears_loudspeaker: bool | None
    # Asked from the 2027 list on (NĐ 351/2025); None on records of earlier lists.
    internet_access: str | None = None
    digital_services: frozenset[str] | None = None  # None: not asked; `none` chosen: {"none"}
    waste_treatment: str | None = None
    # The commune answered with the village (checked against the tree of the list year: an old
    # commune's code after a merger is flagged); None on records without it.
    commune_code: str | None = None
    # `score`: income estimated by the scoring method (Phiếu B) instead of asked; the answers
    # to the score table's questions (`pb_<table>_<item>`) are in `score_answers`.
    income_method: str | None = None
    score_answers: Mapping[str, str] | None = None


def household_code_matches_village(household_code: str, village_code: str) -> bool:
    """True when the code is `<village code>-<1 to 4 digits>`, e.g. `1960301-012`."""
    if not village_code:
        return False
    pattern = re.escape(village_code) + _HOUSEHOLD_NUMBER
    return re.fullmatch(pattern, household_code) is not None
