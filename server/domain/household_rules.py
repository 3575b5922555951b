"""Indicator rules that look at the household as a whole (house, water, latrine, information,
digital services, waste).

Each answers True (deficient), False (not deficient) or None (cannot tell from the answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from server.domain.household import HouseholdAnswers
from server.domain.rule_params import answers_param, flag_param, integer_param, number_param


def non_durable_house(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """No house, or too many of walls, pillars and roof are of non-durable materials."""
    if answers.has_house is False:
        return flag_param(params, "no_house_deficient")
    if answers.has_house is None or answers.non_durable_parts is None:
        return None
    return answers.non_durable_parts >= integer_param(params, "min_non_durable_parts")


def floor_area_per_person(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """No house, or less living floor area per person than the threshold."""
    if answers.has_house is False:
        return flag_param(params, "no_house_deficient")
    if answers.has_house is None or answers.floor_area_m2 is None or not answers.members:
        return None
    # Multiplying instead of dividing keeps "exactly 8 m² per person" exact.
    needed = number_param(params, "min_m2_per_person") * Decimal(len(answers.members))
    return answers.floor_area_m2 < needed


def unsafe_water(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """The main water source is not one of the safe ones (`other` is not safe)."""
    if answers.water_source is None:
        return None
    return answers.water_source not in answers_param(params, "safe_sources")


def unhygienic_latrine(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """The latrine used is not one of the hygienic types (`none` and `other` are not)."""
    if answers.latrine is None:
        return None
    return answers.latrine not in answers_param(params, "hygienic_latrines")


def no_internet(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """No member uses an internet service."""
    return None if answers.uses_internet is None else not answers.uses_internet


def no_information_means(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """Owns none of the listed devices and the loudspeakers do not reach the house."""
    if answers.info_devices & answers_param(params, "devices"):
        return False
    return None if answers.hears_loudspeaker is None else not answers.hears_loudspeaker


def no_internet_access(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """The household cannot go online in one of the ways that count (`connected`)."""
    if answers.internet_access is None:
        return None
    return answers.internet_access not in answers_param(params, "connected")


def few_digital_services(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """Members used fewer of the listed digital services than `min_services` (`none` is none)."""
    if answers.digital_services is None:
        return None
    used = answers.digital_services & answers_param(params, "services")
    return len(used) < integer_param(params, "min_services")


def untreated_waste(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """The household's waste is not handled in one of the ways that count (`treated`)."""
    if answers.waste_treatment is None:
        return None
    return answers.waste_treatment not in answers_param(params, "treated")


def unassessed(answers: HouseholdAnswers, params: Mapping[str, object]) -> bool | None:
    """For indicators the survey form does not collect: never deficient, never cleared."""
    return None
