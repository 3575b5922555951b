"""NĐ 351/2025 for the 2027 list: its new indicators (digital services, internet access,
household waste), whole households assessed at every boundary of its lines and cut-off, in
villages and in towns, and what the standard says about itself (caveat, list years)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from server.domain.assess import assess
from server.domain.household import HouseholdAnswers
from server.domain.standards import HouseholdClass, standard_for_year
from tests.unit.domain.households import household, member, standard, verdict

POOR, NEAR = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
MIDDLE, NOT_POOR = HouseholdClass.MIDDLE, HouseholdClass.NOT_POOR
LIST_YEAR = 2027


def connected(**changes: Any) -> HouseholdAnswers:
    """A 2027-list household deficient in nothing, the new questions answered well."""
    base = household(
        review_year=LIST_YEAR,
        internet_access="mobile_data",
        digital_services=frozenset({"cashless_payment"}),
        waste_treatment="collected",
    )
    return replace(base, **changes)


# --- the new indicators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        ("home_fixed", False),
        ("mobile_data", False),
        ("shared_public", True),  # a neighbour's or public wifi does not count
        ("none", True),
        (None, None),  # not asked (a record of an earlier list): cannot tell
    ],
)
def test_internet_access_counts_a_connection_at_home_or_on_a_members_phone(
    access: str | None, expected: bool | None
) -> None:
    assert verdict("internet_access", connected(internet_access=access), "nd351_2027") is expected


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        ({"public_services"}, False),
        ({"cashless_payment", "online_trade"}, False),
        ({"none"}, True),
        (set(), True),
        (None, None),
    ],
)
def test_digital_services_needs_at_least_one_service_used(
    services: set[str] | None, expected: bool | None
) -> None:
    used = None if services is None else frozenset(services)
    assert verdict("digital_services", connected(digital_services=used), "nd351_2027") is expected


@pytest.mark.parametrize(
    ("waste", "expected"),
    [
        ("collected", False),
        ("composted_buried", False),
        ("burned", True),
        ("dumped", True),
        ("other", True),
        (None, None),
    ],
)
def test_household_waste_counts_when_collected_or_treated_at_home(
    waste: str | None, expected: bool | None
) -> None:
    assert verdict("waste_treatment", connected(waste_treatment=waste), "nd351_2027") is expected


def test_nd351_drops_the_information_devices_and_keeps_no_devices_question() -> None:
    codes = {i.code for i in standard("nd351_2027").indicators}
    assert {"digital_services", "internet_access", "waste_treatment"} <= codes
    assert not codes & {"information_means", "internet"}
    no_devices = connected(info_devices=frozenset(), hears_loudspeaker=False, uses_internet=False)
    result = assess(no_devices, standard("nd351_2027"), urban=False)
    assert result.deficient == frozenset()
    assert result.unassessed == frozenset()


def test_a_record_without_the_new_answers_leaves_them_unassessed_never_deficient() -> None:
    result = assess(household(review_year=LIST_YEAR), standard("nd351_2027"), urban=False)
    assert result.unassessed == {"digital_services", "internet_access", "waste_treatment"}
    assert result.deficiency_count == 0


# --- whole households at every boundary --------------------------------------------------------

TWO = {"internet_access": "none", "waste_treatment": "burned"}
THREE = {**TWO, "digital_services": frozenset({"none"})}


@pytest.mark.parametrize(
    ("urban", "income", "lacking", "expected"),
    [
        # rural: line 2 200 000, middle 3 300 000 (design choice) per person per month
        (False, 2_200_000, TWO, NEAR),
        (False, 2_200_000, THREE, POOR),
        (False, 2_200_001, THREE, MIDDLE),
        (False, 2_200_001, TWO, MIDDLE),
        (False, 3_300_000, {}, MIDDLE),
        (False, 3_300_001, {}, NOT_POOR),
        # urban: line 2 800 000, middle 4 200 000 (design choice)
        (True, 2_800_000, TWO, NEAR),
        (True, 2_800_000, THREE, POOR),
        (True, 2_800_001, THREE, MIDDLE),
        (True, 4_200_000, {}, MIDDLE),
        (True, 4_200_001, {}, NOT_POOR),
        # the rural line's neighbour in town, and the urban line's in a village
        (True, 2_200_001, THREE, POOR),
        (False, 2_800_000, THREE, MIDDLE),
    ],
)
def test_a_2027_household_is_classified_on_the_nd351_lines_and_its_new_indicators(
    urban: bool, income: int, lacking: dict[str, Any], expected: HouseholdClass
) -> None:
    # Three members: the line is compared as income ≤ line × 3, never on a rounded figure.
    answers = connected(
        members=(member(), member(relation="spouse"), member(relation="child")),
        household_income_month=Decimal(income * 3),
        **lacking,
    )
    result = assess(answers, standard_for_year(answers.review_year), urban=urban)
    assert result.standard_code == "nd351_2027"
    assert result.deficiency_count == len(lacking)
    assert result.household_class is expected


def test_a_third_of_a_dong_above_the_line_is_above_it() -> None:
    answers = connected(
        members=(member(), member(relation="spouse"), member(relation="child")),
        household_income_month=Decimal(2_200_000 * 3 + 1),
        **THREE,
    )
    result = assess(answers, standard("nd351_2027"), urban=False)
    assert result.income_per_person == Decimal(2_200_000)  # shown rounded
    assert result.household_class is MIDDLE  # decided on the exact figure


# --- what the standard says about itself -------------------------------------------------------


def test_nd351_is_named_with_its_provisional_caveat_and_nd07_without_one() -> None:
    nd351, nd07 = standard("nd351_2027"), standard("nd07_2022")
    assert nd351.caption("vi") == (
        "Chuẩn nghèo đa chiều quốc gia giai đoạn 2026–2030 (áp dụng từ năm 2027) "
        "(ngưỡng tạm, chờ văn bản hướng dẫn; mức sống trung bình = 1,5 × chuẩn nghèo là lựa "
        "chọn thiết kế)"
    )
    assert "awaiting the guiding circular" in nd351.caption("en")
    assert "design choice" in nd351.caption("en")
    assert nd07.caption("vi") == nd07.title_vi
    assert nd07.caption("en") == nd07.title_en


def test_both_recent_standards_say_which_lists_they_apply_to_and_how_sure_that_is() -> None:
    nd07_note = standard("nd07_2022").list_years_note
    nd351_note = standard("nd351_2027").list_years_note
    assert nd07_note is not None and nd351_note is not None
    assert "31/12/2026" in nd07_note.text_vi and nd07_note.source_mark == "V"
    assert "2027" in nd351_note.text_vi and "suy luận" in nd351_note.text_vi
    assert nd351_note.source_mark == "D", "the late-2026 review → NĐ 351 step is an inference"
