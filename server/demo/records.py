"""Demo records: the demo households' reviews and follow-up visits as a phone sends them.

Owns the instance XML of each record: the answers by question name (with the phone's own
calculations, equal to the server's), the member repeat, the clock and device a phone stamps,
the follow-up visit a cadre makes to about half of the households that left poverty, and the
instanceIDs, which derive from the seed so that loading twice stores nothing new.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.demo.answers import Household, answers, conditions, income
from server.demo.plans import BASE, EARLY, LAST, POOR, Condition, pick, stream
from server.domain.assess import Assessment, assess
from server.domain.household import HouseholdAnswers, Member
from server.domain.standards import Standard, standard_for_year
from server.formats.instance_builder import InstanceWriter
from server.services.registry import FOLLOWUP_VISIT, HOUSEHOLD_SURVEY

logger = logging.getLogger(__name__)

_ID_NAMESPACE = uuid.UUID("0b7d7c0e-52a4-4f4e-9d55-6a1f3c2b9e70")


@dataclass(frozen=True)
class Record:
    form_id: str
    xml: bytes
    device_id: str


def _instance_id(seed: int, *parts: object) -> str:
    return f"uuid:{uuid.uuid5(_ID_NAMESPACE, ':'.join(str(p) for p in (seed, *parts)))}"


def _clock(rng: random.Random, day: str) -> dict[str, object]:
    """start and end, as Collect stamps them: a visit of 12–40 minutes during the day."""
    start = rng.randint(7 * 60, 16 * 60)
    end = start + rng.randint(12, 40)
    return {
        name: f"{day}T{minutes // 60:02d}:{minutes % 60:02d}:00.000+07:00"
        for name, minutes in (("start", start), ("end", end))
    }


def _device(h: Household) -> str:
    return f"collect:demo-{h.village}"


# --- reviews --------------------------------------------------------------------------------------


def _survey_record(
    h: Household, period: int, condition: Condition, writer: InstanceWriter, seed: int
) -> tuple[Record, Assessment]:
    standard = standard_for_year(period)
    given = answers(h, period, condition, standard)
    assessed = assess(given, standard, urban=h.urban)
    rng = stream(seed, h.code, period)
    values: dict[str, object] = {
        **_clock(rng, f"{period}-10-{rng.randint(1, 31):02d}"),
        "deviceid": _device(h),
        **_survey_values(h, given, assessed, standard),
    }
    xml = writer.build(
        values,
        instance_id=_instance_id(seed, h.code, period),
        repeats={"member": [_member_values(m, period) for m in given.members]},
    )
    return Record(HOUSEHOLD_SURVEY, xml, _device(h)), assessed


def _survey_values(
    h: Household, given: HouseholdAnswers, assessed: Assessment, standard: Standard
) -> dict[str, object]:
    """The review's answers by question name, with the phone's own calculations."""
    return {
        "review_year": given.review_year,
        "commune": h.commune,
        "village": h.village,
        "household_code": h.code,
        "head_name": given.head_name,
        "ethnicity": h.ethnicity,
        "groups": list(h.groups),
        "household_income_month": given.household_income_month,
        "has_house": given.has_house,
        "non_durable_parts": given.non_durable_parts,
        "floor_area_m2": given.floor_area_m2,
        "water_source": given.water_source,
        "latrine": given.latrine,
        "uses_internet": given.uses_internet,
        "info_devices": sorted(given.info_devices),
        "hears_loudspeaker": given.hears_loudspeaker,
        **_phone_view(given, assessed, standard, h.urban),
        "instanceName": f"{h.code} {given.head_name}",
    }


def _phone_view(
    given: HouseholdAnswers, assessed: Assessment, standard: Standard, urban: bool
) -> dict[str, object]:
    """The phone's own calculations, equal to the server's (a phone that disagrees is
    recorded as such, which the demo must not show)."""
    lines = standard.lines(urban)
    view: dict[str, object] = {
        f"d_{i.code}": int(i.code in assessed.deficient)
        for i in standard.indicators
        if i.code not in assessed.unassessed
    }
    view.update(
        ethnic_minority=int(given.ethnic_minority),
        n_members=len(given.members),
        deficiency_count=assessed.deficiency_count,
        income_per_person=assessed.income_per_person,
        urban=int(urban),
        poverty_line=int(lines.poverty),
        middle_line=int(lines.middle),
        provisional_class=assessed.household_class,
        standard_code=standard.code,
        standard_caption_vi=standard.caption_for(given.review_year, "vi"),
        standard_caption_en=standard.caption_for(given.review_year, "en"),
        indicator_total=len(standard.indicators),
    )
    return view


def _member_values(member: Member, period: int) -> dict[str, object]:
    """One entry of the member repeat, by question name."""
    return {
        "m_name": member.name,
        "m_sex": member.sex,
        "m_relation": member.relation,
        "m_birth_year": member.birth_year,
        "m_age": period - (member.birth_year or period),
        "m_in_school": member.in_school,
        "m_education": member.education,
        "m_work": member.work,
        "m_health_insurance": member.health_insurance,
        "m_malnourished": member.malnourished,
    }


# --- follow-up visits -----------------------------------------------------------------------------


_SHOCKS = (
    ("illness", 4),
    ("crop_loss", 3),
    ("livestock_loss", 3),
    ("disaster", 3),
    ("job_loss", 1),
)
_SUPPORT_FOR = {
    "health_insurance": "health_insurance",
    "housing_quality": "housing",
    "floor_area": "housing",
    "water_source": "water_sanitation",
    "latrine": "water_sanitation",
    "employment": "vocational_training",
    "adult_education": "vocational_training",
    "child_schooling": "education",
}


def _visit_values(
    h: Household, rng: random.Random, condition: Condition, lacking: frozenset[str]
) -> dict[str, object]:
    """A visit in November 2026 to a household that left poverty in the 2026 review; about a
    quarter had a shock since, and the cadre's judgement follows what they saw."""
    shocks = sorted({pick(rng, _SHOCKS) for _ in range(rng.randint(1, 2))})
    shocks = shocks if rng.random() < 0.25 else []
    share = condition.share * (rng.uniform(0.8, 0.95) if shocks else rng.uniform(1.02, 1.12))
    near_line, estimated = share <= 1.2, rng.random() < 0.8
    risky = near_line or len(lacking) >= 2
    month = income(share, standard_for_year(LAST).lines(h.urban).poverty, len(h.people))
    loan, livelihood = rng.random() < 0.5, rng.random() < 0.35
    return {
        "income_change": "decreased" if shocks else rng.choice(["increased", "increased", "same"]),
        "household_income_month": month if estimated else None,
        "member_count": len(h.people),
        "work_change": "worse"
        if {"illness", "job_loss"} & set(shocks)
        else rng.choice(["better", "same"]),
        "shocks": shocks,
        "shock_count": len(shocks),
        **_support_values(rng, lacking, loan=loan, livelihood=livelihood),
        "relapse_risk": "high" if shocks and risky else "medium" if shocks or risky else "low",
        "support_needed": sorted(
            _support_for(lacking) | ({"credit", "livelihood"} if risky else set())
        ),
    }


def _support_values(
    rng: random.Random, lacking: frozenset[str], *, loan: bool, livelihood: bool
) -> dict[str, object]:
    """The health insurance card, loans and livelihood support, and what to recheck."""
    return {
        "hi_card_valid": "health_insurance" not in lacking,
        "hi_card_expiry": None if "health_insurance" in lacking else f"{LAST}-12-31",
        "loan_active": loan,
        "loan_due": f"{rng.randint(2027, 2029)}-{rng.randint(1, 12):02d}-15" if loan else None,
        "livelihood_support": livelihood,
        "livelihood_end": f"2027-{rng.randint(1, 12):02d}-28" if livelihood else None,
        "recheck_deficient": sorted(lacking),
        "recheck_count": len(lacking),
    }


def _support_for(lacking: frozenset[str]) -> set[str]:
    return {_SUPPORT_FOR[c] for c in lacking if c in _SUPPORT_FOR}


def _visit_records(
    h: Household,
    period: int,
    review: tuple[Condition, Assessment],
    writer: InstanceWriter,
    seed: int,
) -> list[Record]:
    """About half of the households that left poverty in 2026 are visited in November."""
    rng = stream(seed, h.code, "visit")
    exited = period == LAST and h.plan[BASE] is POOR and h.plan[LAST] is not POOR
    if not exited or rng.random() >= 0.5:
        return []
    day = f"{LAST}-11-{rng.randint(2, 25):02d}"
    values = {
        **_clock(rng, day),
        "deviceid": _device(h),
        "household": h.code,
        "fh_head_name": h.people[0].name,
        "fh_exit_year": LAST,
        "visit_date": day,
        **_visit_values(h, rng, review[0], review[1].deficient),
        "instanceName": f"{h.code} {h.people[0].name} {day}",
    }
    xml = writer.build(values, instance_id=_instance_id(seed, h.code, "visit", LAST))
    return [Record(FOLLOWUP_VISIT, xml, _device(h))]


# --- every record ---------------------------------------------------------------------------------


def build_records(
    households: Sequence[Household], writers: Mapping[str, InstanceWriter], seed: int
) -> list[Record]:
    """Every review, period after period as the campaigns ran, then the visits."""
    planned = {h.code: conditions(h, seed) for h in households}
    reviews: list[Record] = []
    visits: list[Record] = []
    missed = 0
    for period in (EARLY, BASE, LAST):
        for h in [h for h in households if period in h.plan]:
            condition = planned[h.code][period]
            record, assessment = _survey_record(
                h, period, condition, writers[HOUSEHOLD_SURVEY], seed
            )
            reviews.append(record)
            missed += assessment.household_class is not h.plan[period]
            review = (condition, assessment)
            visits += _visit_records(h, period, review, writers[FOLLOWUP_VISIT], seed)
    if missed:
        logger.warning("%d demo reviews did not reach their planned class", missed)
    return reviews + visits
