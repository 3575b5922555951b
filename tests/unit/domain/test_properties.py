"""Properties that hold for every standard and every household, checked with hypothesis."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from server.domain.assess import assess
from server.domain.classify import classify
from server.domain.household import HouseholdAnswers, Member
from server.domain.standards import HouseholdClass, Standard, load_standards

# How poor each class is: a household can only move down this list as income rises.
SEVERITY = {
    HouseholdClass.POOR: 3,
    HouseholdClass.NEAR_POOR: 2,
    HouseholdClass.MIDDLE: 1,
    HouseholdClass.NOT_POOR: 0,
}

standards = st.sampled_from(load_standards())
incomes = st.decimals(min_value=0, max_value=10_000_000, places=0)
counts = st.integers(min_value=0, max_value=12)


@given(standards, st.booleans(), incomes, incomes, counts)
def test_more_income_never_makes_a_household_poorer(
    rules: Standard, urban: bool, a: Decimal, b: Decimal, deficiencies: int
) -> None:
    low, high = sorted((a, b))
    poorer = classify(low, deficiencies, urban=urban, standard=rules)
    richer = classify(high, deficiencies, urban=urban, standard=rules)
    assert SEVERITY[richer] <= SEVERITY[poorer]


@given(standards, st.booleans(), incomes, counts, counts)
def test_more_deficiencies_never_make_a_household_less_poor(
    rules: Standard, urban: bool, income: Decimal, a: int, b: int
) -> None:
    fewer, more = sorted((a, b))
    better = classify(income, fewer, urban=urban, standard=rules)
    worse = classify(income, more, urban=urban, standard=rules)
    assert SEVERITY[worse] >= SEVERITY[better]


def maybe(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | values


def choice(*names: str) -> st.SearchStrategy[object]:
    return maybe(st.sampled_from(names))


members = st.builds(
    Member,
    name=st.just("Hồ Thị B"),
    sex=choice("male", "female"),
    relation=choice("head", "spouse", "child", "parent", "other"),
    birth_year=maybe(st.integers(min_value=1920, max_value=2030)),
    in_school=maybe(st.booleans()),
    education=choice(
        "none", "primary", "lower_secondary", "upper_secondary", "vocational", "higher"
    ),
    health_insurance=maybe(st.booleans()),
    work=choice(
        "stable_contract",
        "self_employed",
        "unstable_no_contract",
        "unemployed",
        "studying",
        "unable",
        "retired_homemaker",
    ),
    malnourished=maybe(st.booleans()),
)

households = st.builds(
    HouseholdAnswers,
    review_year=st.integers(min_value=2016, max_value=2030),
    village_code=st.just("1960301"),
    household_code=st.just("1960301-1"),
    head_name=st.just("Hồ Thị B"),
    ethnicity=choice("kinh", "bru_van_kieu", "ta_oi", "hoa", "other_minority"),
    ethnic_minority=st.booleans(),
    merit=st.booleans(),
    social_protection=st.booleans(),
    members=st.lists(members, max_size=8).map(tuple),
    household_income_month=maybe(st.decimals(min_value=0, max_value=50_000_000, places=0)),
    has_house=maybe(st.booleans()),
    non_durable_parts=maybe(st.integers(min_value=0, max_value=3)),
    floor_area_m2=maybe(st.decimals(min_value=0, max_value=300, places=1)),
    water_source=choice("piped", "rain_water", "unprotected_well", "surface_water", "other"),
    latrine=choice("septic", "pour_flush", "simple_pit", "none", "other"),
    uses_internet=maybe(st.booleans()),
    info_devices=st.frozensets(st.sampled_from(["tv", "radio", "computer", "smartphone"])),
    hears_loudspeaker=maybe(st.booleans()),
)


@given(households, standards, st.booleans())
def test_the_deficiency_count_is_the_number_of_deficient_indicators(
    answers: HouseholdAnswers, rules: Standard, urban: bool
) -> None:
    result = assess(answers, rules, urban=urban)
    codes = {indicator.code for indicator in rules.indicators}
    assert result.deficiency_count == len(result.deficient)
    assert not result.deficient & result.unassessed
    assert result.deficient | result.unassessed <= codes
    assert (result.household_class is None) == (result.income_per_person is None)
