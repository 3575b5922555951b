"""Reading a `household_survey` instance into the domain's HouseholdAnswers.

Fields are found by name wherever they sit (groups may move; forms/README.md is the contract).
A question the phone did not ask is simply absent from the XML, so absence means "not asked";
only answers every review needs are required. A value that cannot be read raises InvalidInput
naming the field, which keeps the record out of the registry with that reason.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from server.domain.household import SCORING_METHOD, HouseholdAnswers, Member
from server.domain.scoring import ANSWER_PREFIX
from server.errors import InvalidInput
from server.formats.answers import (
    answers_of,
    choices,
    decimal,
    descendants,
    integer,
    required,
    yes_no,
)
from server.formats.instance import local_name

# The contract: every ethnicity but Kinh is an ethnic minority (dân tộc thiểu số); the Hoa are
# one of the 53 recognised minorities.
MAJORITY_ETHNICITIES = frozenset({"kinh"})
MEMBER = "member"


def _member(node: Element, index: int) -> Member:
    text = answers_of(node).get

    def field(name: str) -> str:
        return f"member[{index}]/{name}"

    return Member(
        name=text("m_name") or "",
        sex=text("m_sex"),
        relation=text("m_relation"),
        birth_year=integer(text("m_birth_year"), field("m_birth_year")),
        in_school=yes_no(text("m_in_school"), field("m_in_school")),
        education=text("m_education"),
        health_insurance=yes_no(text("m_health_insurance"), field("m_health_insurance")),
        work=text("m_work"),
        malnourished=yes_no(text("m_malnourished"), field("m_malnourished")),
    )


def read_members(root: Element) -> tuple[Member, ...]:
    nodes = [e for e in descendants(root, skip=MEMBER) if local_name(e.tag) == MEMBER]
    return tuple(_member(node, index) for index, node in enumerate(nodes, start=1))


def read_household_answers(root: Element) -> HouseholdAnswers:
    """The answers of one review; raises InvalidInput naming the first unreadable field."""

    answers = answers_of(root, skip=MEMBER)
    text = answers.get
    review_year = integer(required(text("review_year"), "review_year"), "review_year")
    ethnicity = text("ethnicity")
    groups = choices(text("groups"))
    members = read_members(root)
    income_method = text("income_method")
    scored = income_method == SCORING_METHOD
    income = text("household_income_month")
    if not scored:
        # Asked directly, the income is what the class is decided by: it must be there.
        income = required(income, "household_income_month")
    if not members:
        raise InvalidInput(field="member", detail="the household has no members")
    return HouseholdAnswers(
        review_year=review_year or 0,
        village_code=required(text("village"), "village"),
        household_code=required(text("household_code"), "household_code"),
        head_name=required(text("head_name"), "head_name"),
        ethnicity=ethnicity,
        ethnic_minority=ethnicity is not None and ethnicity not in MAJORITY_ETHNICITIES,
        merit="nguoi_co_cong" in groups,
        social_protection="bao_tro_xa_hoi" in groups,
        members=members,
        household_income_month=decimal(income, "household_income_month"),
        has_house=yes_no(text("has_house"), "has_house"),
        non_durable_parts=integer(text("non_durable_parts"), "non_durable_parts"),
        floor_area_m2=decimal(text("floor_area_m2"), "floor_area_m2"),
        water_source=text("water_source"),
        latrine=text("latrine"),
        uses_internet=yes_no(text("uses_internet"), "uses_internet"),
        info_devices=choices(text("info_devices")),
        hears_loudspeaker=yes_no(text("hears_loudspeaker"), "hears_loudspeaker"),
        internet_access=text("internet_access"),
        digital_services=_optional_choices(text("digital_services")),
        waste_treatment=text("waste_treatment"),
        commune_code=text("commune"),
        income_method=income_method,
        score_answers=(
            {name: value for name, value in answers.items() if name.startswith(ANSWER_PREFIX)}
            if scored
            else None
        ),
    )


def _optional_choices(value: str | None) -> frozenset[str] | None:
    """A select_multiple the form requires when it asks it: blank means "not asked" (None)."""
    return None if value is None else choices(value)


def read_phone_view(root: Element, indicator_codes: tuple[str, ...]) -> dict[str, str]:
    """What the phone calculated and showed the cadre (d_<code>, count, class, the standard of
    the list year), as sent."""
    names = [f"d_{code}" for code in indicator_codes]
    names += ["deficiency_count", "provisional_class", "standard_code"]
    answers = answers_of(root, skip=MEMBER)
    return {name: answers[name] for name in names if name in answers}
