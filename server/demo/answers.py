"""Demo answers: each demo household as drawn for its village, and what it answers in each
review so that the normal assessment gives it its planned class.

Owns the household (roster, groups, its place, its plan), the villages' households read from
the area tree and its resident counts, each period's condition (via `plans`), and the
answers built from it: the household's `HouseholdAnswers` with each member's (`records`
writes them as a phone would).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from server.demo.people import (
    Person,
    draw_roster,
    household_groups,
    household_kind,
    member_roles,
)
from server.demo.plans import (
    BASE,
    BRU_ELSEWHERE,
    BRU_SHARE,
    LOWLAND_RATE,
    POOR_RATES,
    UPLAND,
    Before,
    Condition,
    draw_lacking,
    draw_share,
    pick,
    stream,
    village_plans,
)
from server.domain.assess import Assessment, assess
from server.domain.household import HouseholdAnswers, Member
from server.domain.standards import HouseholdClass, Standard, standard_for_year
from server.storage.areas import households_in, villages_within
from server.storage.models import Area


@dataclass(frozen=True)
class Look:
    """The household's place, as (not lacking, lacking) pairs for the indicators it can lack."""

    water: tuple[str, str]
    latrine: tuple[str, str]
    non_durable_parts: tuple[int, int]
    m2_per_person: tuple[float, float]
    devices: frozenset[str]
    loudspeaker: bool
    bad_work: str


@dataclass(frozen=True)
class Household:
    code: str
    village: str
    commune: str
    urban: bool
    setting: str  # upland, lowland or township
    ethnicity: str
    groups: tuple[str, ...]
    people: tuple[Person, ...]
    # The member whose answers make the household lack an indicator (employment: a worker…).
    roles: Mapping[str, int]
    look: Look
    plan: Mapping[int, HouseholdClass]


# --- households, village by village ---------------------------------------------------------------


def draw_households(session: Session, seed: int) -> list[Household]:
    """The demo households of every village of the tree, at its 2025 resident count."""
    households: list[Household] = []
    for village, commune in villages_within(session, None):
        count = households_in(session, village.id, BASE) or 0
        households.extend(_village_households(seed, village, commune, count))
    return households


def _village_households(seed: int, village: Area, commune: Area, residents: int) -> list[Household]:
    rng = stream(seed, village.code)
    rate = POOR_RATES.get(commune.code, LOWLAND_RATE)
    plans = village_plans(rng, village.code, rate, residents)
    numbers = sorted(rng.sample(range(1, max(residents, len(plans)) + 1), len(plans)))
    return [
        _household(seed, village, commune, f"{village.code}-{number:03d}", plan)
        for number, plan in zip(numbers, plans, strict=True)
    ]


def _household(
    seed: int, village: Area, commune: Area, code: str, plan: Mapping[int, HouseholdClass]
) -> Household:
    rng = stream(seed, code)
    setting = "township" if village.urban else "upland" if commune.code in UPLAND else "lowland"
    share = BRU_SHARE.get(village.code, BRU_SHARE.get(commune.code, BRU_ELSEWHERE))
    bru = rng.random() < share
    kind = household_kind(rng, "upland" if setting == "upland" else "lowland", plan[BASE])
    people = tuple(draw_roster(rng, bru, village.urban, kind))
    return Household(
        code=code,
        village=village.code,
        commune=commune.code,
        urban=village.urban,
        setting=setting,
        ethnicity="bru_van_kieu" if bru else "kinh",
        groups=household_groups(rng, people, bru, single=kind == "single"),
        people=people,
        roles=member_roles(people),
        look=_look(rng, setting),
        plan=dict(plan),
    )


def _look(rng: random.Random, setting: str) -> Look:
    safe = {
        "upland": ["protected_spring", "drilled_well", "piped"],
        "lowland": ["piped", "drilled_well", "protected_dug_well", "rain_water"],
        "township": ["piped"],
    }[setting]
    unsafe = ["unprotected_spring", "surface_water", "unprotected_well"]
    devices = rng.choice([["tv"], ["tv", "radio"], ["radio"], []])
    return Look(
        water=(rng.choice(safe), rng.choice(unsafe if setting == "upland" else unsafe[2:])),
        latrine=(
            rng.choice(["septic", "semi_septic", "pour_flush"]),
            rng.choice(["simple_pit"] * 2 + ["none"]),
        ),
        non_durable_parts=(rng.choice([0, 0, 1]), rng.choice([2, 3])),
        m2_per_person=(rng.uniform(9, 18), rng.uniform(4, 7.3)),
        devices=frozenset(devices),
        loudspeaker=not devices or rng.random() < 0.8,
        bad_work=pick(rng, (("unstable_no_contract", 4), ("unemployed", 1))),
    )


# --- answers that reach the planned class ---------------------------------------------------------


def conditions(h: Household, seed: int) -> dict[int, Condition]:
    """The household's condition in each period it is reviewed, toward its planned class."""
    rng = stream(seed, h.code, "conditions")
    found: dict[int, Condition] = {}
    before: Before = None
    for period in sorted(h.plan):
        target = h.plan[period]
        standard = standard_for_year(period)
        structural = _assessment(h, period, Condition(frozenset(), 1.0), standard)
        lacking = draw_lacking(
            h.setting,
            h.roles,
            target,
            before,
            rng,
            structural=structural.deficiency_count,
            cutoff=standard.deficiency_cutoff,
        )
        found[period] = Condition(lacking, draw_share(target, before, rng))
        before = (target, found[period])
    return found


def _lacks(h: Household, index: int, lacking: frozenset[str], code: str) -> bool:
    """Whether this member is the one who makes the household lack `code`."""
    return code in lacking and h.roles.get(code) == index


def _activity(h: Household, index: int, age: int, lacking: frozenset[str]) -> tuple[bool, str, str]:
    """(in school, highest level finished, main work) of a member in the review year."""
    person = h.people[index]
    if h.roles.get("adult_education") == index:
        out = _lacks(h, index, lacking, "adult_education")
        return (
            not out,
            "primary" if age < 18 else "lower_secondary",
            "self_employed" if out else "studying",
        )
    if _lacks(h, index, lacking, "child_schooling"):
        return False, "primary", "self_employed"
    if age <= 17:
        return True, "primary" if age < 16 else "lower_secondary", "studying"
    if person.birth_year > BASE - 23 and age <= 22:
        return True, "upper_secondary", "studying"
    work = h.look.bad_work if _lacks(h, index, lacking, "employment") else person.work
    return False, person.education, work


def _member(h: Household, index: int, period: int, lacking: frozenset[str]) -> Member:
    person = h.people[index]
    age = period - person.birth_year
    in_school, education, work = _activity(h, index, age, lacking)
    return Member(
        name=person.name,
        sex=person.sex,
        relation=person.relation,
        birth_year=person.birth_year,
        in_school=in_school if 3 <= age <= 30 else None,
        education=education if age >= 15 else None,
        health_insurance=not _lacks(h, index, lacking, "health_insurance"),
        work=work if age >= 15 else None,
        malnourished=_lacks(h, index, lacking, "nutrition") if age < 16 else None,
    )


def income(share: float, line: Decimal, members: int) -> Decimal:
    """A household's monthly income at `share` of the line per person."""
    step = 50_000  # what a cadre writes down: a round figure
    return Decimal(round(share * float(line) * members / step) * step)


def answers(
    h: Household, period: int, condition: Condition, standard: Standard
) -> HouseholdAnswers:
    """What the household answers in the review of `period`."""
    lacking, look = condition.lacking, h.look
    members = tuple(_member(h, i, period, lacking) for i in range(len(h.people)))
    per_person = look.m2_per_person[1 if "floor_area" in lacking else 0]
    internet = "internet" not in lacking
    no_means = "information_means" in lacking
    devices = look.devices | ({"smartphone"} if internet else set())
    return HouseholdAnswers(
        review_year=period,
        village_code=h.village,
        household_code=h.code,
        head_name=h.people[0].name,
        ethnicity=h.ethnicity,
        ethnic_minority=h.ethnicity != "kinh",
        merit="nguoi_co_cong" in h.groups,
        social_protection="bao_tro_xa_hoi" in h.groups,
        members=members,
        household_income_month=income(
            condition.share, standard.lines(h.urban).poverty, len(members)
        ),
        has_house=True,
        non_durable_parts=look.non_durable_parts[int("housing_quality" in lacking)],
        floor_area_m2=Decimal(round(per_person * len(members))),
        water_source=look.water[int("water_source" in lacking)],
        latrine=look.latrine[int("latrine" in lacking)],
        uses_internet=internet,
        info_devices=frozenset() if no_means else devices,
        hears_loudspeaker=False if no_means else look.loudspeaker,
    )


def _assessment(h: Household, period: int, condition: Condition, standard: Standard) -> Assessment:
    return assess(answers(h, period, condition, standard), standard, urban=h.urban)
