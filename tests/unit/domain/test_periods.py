"""Review periods: a review's list year decides its standard, not the year it is carried out."""

from __future__ import annotations

import pytest

from server.domain.periods import ReviewPeriod
from server.domain.standards import standard_for_period, standard_for_year
from server.errors import NoStandardForYear, NotFound


def test_the_late_2026_review_makes_the_2027_list_which_uses_nd351() -> None:
    period = ReviewPeriod.of_review_carried_out_in(2026)
    assert period == ReviewPeriod(2027)
    assert period.carried_out_in == 2026
    assert standard_for_period(period).code == "nd351_2027"


def test_the_2026_list_reviewed_in_late_2025_stays_on_nd07() -> None:
    period = ReviewPeriod(2026)
    assert period.carried_out_in == 2025
    assert standard_for_period(period).code == "nd07_2022"
    assert period.previous == ReviewPeriod(2025)


@pytest.mark.parametrize("list_year", [2015, 2031, 0])
def test_a_list_year_without_a_standard_is_refused_with_the_years_that_have_one(
    list_year: int,
) -> None:
    with pytest.raises(NoStandardForYear) as caught:
        standard_for_year(list_year)
    assert isinstance(caught.value, NotFound)
    assert caught.value.message_vi == (
        f"Không có chuẩn nghèo cho danh sách năm {list_year} (các chuẩn hiện có áp dụng cho "
        "danh sách các năm 2016–2030); phiếu được lưu nhưng chưa phân loại."
    )
    assert f"the {list_year} list" in caught.value.message_en
