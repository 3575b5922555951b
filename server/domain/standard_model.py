"""The shape of a poverty standard as values: income lines, indicators, rule shape, supports.

`standards.py` re-exports these names and loads them from the data files; this module only
defines them, so the file reader and the loader can both import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from server.domain.scoring import ScoringRules
from server.errors import NotFound


class RuleShape(StrEnum):
    """How income and deficiencies combine (reference §2.3 and §3.3)."""

    TWO_BAND_OR = "two_band_or"  # QĐ 59/2015: poor on income alone, or in the band with D ≥ cut-off
    SINGLE_LINE_AND = "single_line_and"  # NĐ 07/2021, NĐ 351/2025: income ≤ line and D ≥ cut-off


@dataclass(frozen=True)
class IncomeLines:
    """VND per person per month; `near_poverty` exists only for the two-band shape.

    `provisional` names the lines not yet checked against the legal text (e.g. {"middle"}).
    """

    poverty: Decimal
    near_poverty: Decimal | None
    middle: Decimal
    provisional: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Support:
    """A suggested support measure and who usually provides it (reference §7; not legal advice)."""

    action_vi: str
    action_en: str
    responsible_vi: str
    responsible_en: str


@dataclass(frozen=True)
class Indicator:
    """One deficiency indicator: what it is called, how it is judged, and what helps."""

    code: str
    dimension: str
    dimension_vi: str
    dimension_en: str
    name_vi: str
    name_en: str
    rule: str
    # A read-only mapping, so it takes no part in hashing; equality still compares it.
    params: Mapping[str, object] = field(hash=False)
    source_mark: str
    provisional: bool
    support: Support


@dataclass(frozen=True)
class RelapseRules:
    """When a household that left poverty counts as at risk of falling back (reference §6)."""

    income_margin: Decimal
    min_deficiencies: int
    shock_triggers_risk: bool


@dataclass(frozen=True)
class ListYearsNote:
    """What the sources say about the list years a standard applies to (e.g. 2026 as a
    transition year), with the confidence mark of the domain reference and where it comes from."""

    text_vi: str
    text_en: str
    source_mark: str
    sources: str


@dataclass(frozen=True)
class Standard:
    """One poverty standard and the list years it applies to (both inclusive).

    A list year is the year a list of poor and near-poor households applies to, one more than the
    year its periodic review is carried out (`server/domain/periods.py`).

    `caveat_vi`/`caveat_en` is said wherever the standard is named when it is provisional
    ("ngưỡng tạm, chờ văn bản hướng dẫn"); it is empty for a standard checked against its text.
    """

    code: str
    title_vi: str
    title_en: str
    legal_basis: str
    first_year: int
    last_year: int
    # The last year the standard's own title names ("giai đoạn 2022–2025"), when it applies
    # beyond it (NĐ 351/2025 keeps NĐ 07 for the 2026 list); None when the title covers all.
    named_last_year: int | None
    shape: RuleShape
    rural: IncomeLines
    urban: IncomeLines
    deficiency_cutoff: int
    indicators: tuple[Indicator, ...]
    income_support: Support
    relapse: RelapseRules
    provisional: bool
    caveat_vi: str = ""
    caveat_en: str = ""
    list_years_note: ListYearsNote | None = None
    # The scoring method's cut-offs and tables (Phiếu B), when the standard has them.
    scoring: ScoringRules | None = None

    def lines(self, urban: bool) -> IncomeLines:
        return self.urban if urban else self.rural

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise NotFound(what=f"indicator {code} of the standard {self.code}")

    def covers(self, year: int) -> bool:
        """Whether the list of `year` is classified under this standard."""
        return self.first_year <= year <= self.last_year

    def caption(self, language: str) -> str:
        """The standard as every table, list and form names it: its title, and its caveat when
        it is provisional, in the words of its data file."""
        title, caveat = (
            (self.title_en, self.caveat_en) if language == "en" else (self.title_vi, self.caveat_vi)
        )
        return f"{title} ({caveat})" if caveat else title

    def caption_for(self, year: int, language: str) -> str:
        """The standard as a table of list `year` names it: its caption, and "applied to
        <year>" for a year beyond the period its title names (a transition year), so nobody
        reads "2022–2025" on a 2026 table and wonders which standard classified it."""
        caption = self.caption(language)
        if self.named_last_year is None or year <= self.named_last_year:
            return caption
        return f"{caption}, {self.beyond_named_words(language)} {year}"

    @staticmethod
    def beyond_named_words(language: str) -> str:
        return "applied to" if language == "en" else "áp dụng cho năm"
