"""The registry of rule kinds: the name a standard file writes in `rule`, the function that
applies it, and the parameters it needs.

A standard file may only name a rule kind listed here, and must give exactly its parameters;
the loader checks both. Adding a rule kind is a code change; changing a threshold is not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from server.domain import household_rules, member_rules
from server.domain.household import HouseholdAnswers
from server.domain.rule_params import ParamKind

# True: deficient; False: not deficient; None: cannot tell from the answers.
RuleCheck = Callable[[HouseholdAnswers, Mapping[str, object]], bool | None]

_INT, _NUMBER, _FLAG = ParamKind.INTEGER, ParamKind.NUMBER, ParamKind.FLAG
_ANSWERS, _BANDS = ParamKind.ANSWERS, ParamKind.AGE_BANDS


@dataclass(frozen=True)
class RuleKind:
    check: RuleCheck
    params: Mapping[str, ParamKind]


def _kind(check: RuleCheck, **params: ParamKind) -> RuleKind:
    return RuleKind(check, MappingProxyType(params))


RULE_KINDS: Mapping[str, RuleKind] = MappingProxyType(
    {
        "member_work": _kind(
            member_rules.member_work, min_age=_INT, max_age=_INT, deficient_work=_ANSWERS
        ),
        "dependants": _kind(
            member_rules.dependants,
            working_min_age=_INT,
            working_max_age=_INT,
            unable_work=_ANSWERS,
            max_share=_NUMBER,
        ),
        "malnourished_child": _kind(member_rules.malnourished_child, max_age=_INT),
        "no_health_insurance": _kind(member_rules.no_health_insurance, min_age=_INT),
        "adult_education": _kind(member_rules.adult_education, bands=_BANDS),
        "child_not_in_school": _kind(member_rules.child_not_in_school, min_age=_INT, max_age=_INT),
        "non_durable_house": _kind(
            household_rules.non_durable_house, min_non_durable_parts=_INT, no_house_deficient=_FLAG
        ),
        "floor_area_per_person": _kind(
            household_rules.floor_area_per_person,
            min_m2_per_person=_NUMBER,
            no_house_deficient=_FLAG,
        ),
        "unsafe_water": _kind(household_rules.unsafe_water, safe_sources=_ANSWERS),
        "unhygienic_latrine": _kind(household_rules.unhygienic_latrine, hygienic_latrines=_ANSWERS),
        "no_internet": _kind(household_rules.no_internet),
        "no_information_means": _kind(household_rules.no_information_means, devices=_ANSWERS),
        "no_internet_access": _kind(household_rules.no_internet_access, connected=_ANSWERS),
        "few_digital_services": _kind(
            household_rules.few_digital_services, services=_ANSWERS, min_services=_INT
        ),
        "untreated_waste": _kind(household_rules.untreated_waste, treated=_ANSWERS),
        "unassessed": _kind(household_rules.unassessed),
    }
)
