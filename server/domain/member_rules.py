"""Indicator rules that look at household members one by one (work, schooling, insurance, ...).

Every rule answers True (deficient), False (not deficient) or None (cannot tell). The phone
asks some member questions only at certain ages, so a missing answer outside those ages is
expected and ignored, while a missing answer (or a missing birth year) where the rule needs
one makes the member unknown. A household is deficient as soon as one member is, even if
others are unknown; it is not deficient only when every member is known to be fine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from server.domain.household import HouseholdAnswers, Member
from server.domain.rule_params import (
    AgeBand,
    answers_param,
    bands_param,
    integer_param,
    number_param,
)

# Judges one member, given the member and their age in the review year (None if unknown).
MemberCheck = Callable[[Member, int | None], bool | None]


def any_of(results: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True wins, then an unknown keeps the answer open."""
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown = unknown or result is None
    return None if unknown else False


def any_member(answers: HouseholdAnswers, check: MemberCheck) -> bool | None:
    if not answers.members:
        return None
    return any_of(check(member, member.age(answers.review_year)) for member in answers.members)


def in_ages(age: int | None, low: int, high: int | None, fault: bool | None) -> bool | None:
    """A member's verdict for a rule that only looks at ages `low`..`high` (inclusive).

    `fault` is what the member's answer says (None: not answered). A reassuring answer settles
    it at any age; otherwise the age must be known to tell whether the rule applies at all.
    """
    if fault is False:
        return False
    if age is None:
        return None
    if age < low or (high is not None and age > high):
        return False
    return fault


def member_work(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """A working-age member is unemployed or works without a contract."""
    low, high = integer_param(params, "min_age"), integer_param(params, "max_age")
    bad = answers_param(params, "deficient_work")

    def check(member: Member, age: int | None) -> bool | None:
        fault = None if member.work is None else member.work in bad
        return in_ages(age, low, high, fault)

    return any_member(answers, check)


def malnourished_child(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """A child up to `max_age` is stunted or underweight."""
    high = integer_param(params, "max_age")
    return any_member(answers, lambda member, age: in_ages(age, 0, high, member.malnourished))


def no_health_insurance(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """A member aged `min_age` or over has no valid health-insurance card."""
    low = integer_param(params, "min_age")

    def check(member: Member, age: int | None) -> bool | None:
        fault = None if member.health_insurance is None else not member.health_insurance
        return in_ages(age, low, None, fault)

    return any_member(answers, check)


def child_not_in_school(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """A child aged `min_age`..`max_age` does not attend school."""
    low, high = integer_param(params, "min_age"), integer_param(params, "max_age")

    def check(member: Member, age: int | None) -> bool | None:
        fault = None if member.in_school is None else not member.in_school
        return in_ages(age, low, high, fault)

    return any_member(answers, check)


def _education_gap(member: Member, age: int | None, bands: tuple[AgeBand, ...]) -> bool | None:
    if member.in_school is True:
        return False
    if age is None:
        # Unknown age: fine only if the finished level satisfies every band.
        return False if all(member.education in band.finished for band in bands) else None
    band = next((band for band in bands if band.covers(age, member.birth_year)), None)
    if band is None or member.education in band.finished:
        return False
    if member.in_school is None or member.education is None:
        return None
    return True


def adult_education(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """A young adult is out of school without the level expected for their age band."""
    bands = bands_param(params, "bands")
    return any_member(answers, lambda member, age: _education_gap(member, age, bands))


def _is_dependant(member: Member, age: int | None, params: Mapping[str, object]) -> bool | None:
    if member.work in answers_param(params, "unable_work"):
        return True
    if age is None:
        return None
    low, high = integer_param(params, "working_min_age"), integer_param(params, "working_max_age")
    if not low <= age <= high:
        return True
    return None if member.work is None else False


def dependants(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """Dependants (children, elderly, unable to work) are more than `max_share` of members."""
    if not answers.members:
        return None
    verdicts = [_is_dependant(m, m.age(answers.review_year), params) for m in answers.members]
    known, unknown = verdicts.count(True), verdicts.count(None)
    limit = number_param(params, "max_share") * len(verdicts)
    if Decimal(known) > limit:
        return True
    if Decimal(known + unknown) <= limit:
        return False
    return None
