"""Review periods: the year a review is carried out and the year its list applies to.

A periodic review (rà soát định kỳ) runs from 1 September to 14 December (QĐ 24/2021/QĐ-TTg
Art. 3) and produces the list of poor and near-poor households that policies use in the
*following* year: the Sep–Dec 2026 review makes the 2027 list. The poverty standard follows the
list year, so the late-2026 review already classifies under NĐ 351/2025, while the 2026 list
(reviewed in late 2025, corrected in-year during 2026) stays on NĐ 07/2021 (docs/sources/
nd351-and-the-2025-reform.md, "Which standard classifies the late-2026 review?": the last step is
an inference, marked so in the standard files).

Everywhere in the registry, the tables and the form, "the period" is the list year. The form's
field keeps its historical name `review_year` (forms/README.md); it holds the list year.
"""

from __future__ import annotations

from dataclasses import dataclass

# The periodic review is carried out in the year before the year of its list.
_REVIEW_RUNS_BEFORE_ITS_LIST = 1


@dataclass(frozen=True, order=True)
class ReviewPeriod:
    """One review period, named by the year its list of households applies to."""

    list_year: int

    @classmethod
    def of_review_carried_out_in(cls, year: int) -> ReviewPeriod:
        """The period a periodic review carried out (Sep–Dec) in `year` produces the list of."""
        return cls(year + _REVIEW_RUNS_BEFORE_ITS_LIST)

    @property
    def carried_out_in(self) -> int:
        """The year the periodic review of this list runs (1 Sep – 14 Dec)."""
        return self.list_year - _REVIEW_RUNS_BEFORE_ITS_LIST

    @property
    def previous(self) -> ReviewPeriod:
        """The period whose list this one's start-of-year counts read."""
        return ReviewPeriod(self.list_year - 1)
