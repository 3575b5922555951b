"""Household survey and follow-up records for tests, written against the shipped forms."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from server.config import REPO_ROOT
from server.formats.instance_builder import build_instance
from server.xlsform import compile_xlsform

FORMS = REPO_ROOT / "forms"


@cache
def xform(form_id: str) -> bytes:
    path = FORMS / f"{form_id}.xlsx"
    return compile_xlsform(path.read_bytes(), path.name).xform


def members(count: int = 4, **overrides: Any) -> list[dict[str, Any]]:
    """A couple born 1980/1982 with children born 2010, 2014, …: all insured, in school."""
    people = [
        {
            "m_name": "Hồ Văn Lợi",
            "m_sex": "male",
            "m_relation": "head",
            "m_birth_year": 1980,
            "m_education": "lower_secondary",
            "m_work": "self_employed",
            "m_health_insurance": "yes",
        },
        {
            "m_name": "Trần Thị Hoa",
            "m_sex": "female",
            "m_relation": "spouse",
            "m_birth_year": 1982,
            "m_education": "lower_secondary",
            "m_work": "self_employed",
            "m_health_insurance": "yes",
        },
    ]
    for n in range(count - 2):
        people.append(
            {
                "m_name": f"Hồ Văn Con {n}",
                "m_sex": "male",
                "m_relation": "child",
                "m_birth_year": 2012 + 2 * n,
                "m_in_school": "yes",
                "m_health_insurance": "yes",
                "m_malnourished": "no",
            }
        )
    return [{**p, **overrides} for p in people[:count]]


POOR = {  # 1,000,000 đồng per person in a rural village, deficient in water, latrine, internet
    "review_year": 2026,
    "commune": "19603",
    "village": "1960301",
    "household_code": "1960301-001",
    "head_name": "Hồ Văn Lợi",
    "ethnicity": "bru_van_kieu",
    "groups": "",
    "household_income_month": 4_000_000,
    "has_house": "yes",
    "non_durable_parts": 0,
    "floor_area_m2": 60,
    "water_source": "unprotected_well",
    "latrine": "simple_pit",
    "uses_internet": "no",
    "info_devices": "tv",
    "hears_loudspeaker": "yes",
}
NEAR_POOR = {**POOR, "water_source": "piped", "latrine": "septic", "uses_internet": "yes"}
NOT_POOR = {**NEAR_POOR, "household_income_month": 12_000_000}


def survey(
    answers: dict[str, Any] | None = None,
    *,
    people: list[dict[str, Any]] | None = None,
    instance_id: str | None = None,
    deprecated_id: str | None = None,
    **overrides: Any,
) -> tuple[bytes, str]:
    """(instance XML, instanceID) of a household_survey record."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    xml = build_instance(
        xform("household_survey"),
        {**(answers or POOR), **overrides},
        instance_id=instance_id,
        repeats={"member": people or members()},
        deprecated_id=deprecated_id,
    )
    return xml, instance_id


def visit(household_code: str, **answers: Any) -> bytes:
    values = {
        "household": household_code,
        "visit_date": "2026-11-20",
        "member_count": 4,
        "income_change": "same",
        "work_change": "same",
        "relapse_risk": "low",
        "hi_card_valid": "yes",
        "loan_active": "no",
        "livelihood_support": "no",
        **answers,
    }
    return build_instance(xform("followup_visit"), values, instance_id=f"uuid:{uuid.uuid4()}")
