"""Demo households: a few hundred synthetic reviews, sent as real submissions from a phone.

`rasoat serve --demo` loads them so that every table and list has numbers for a newcomer.
Each village of the demo tree gets poor households at a plausible share of its resident
households (upland Bru-Vân Kiều communes, lowland communes, the township), somewhat fewer
near-poor ones and a few others; each is reviewed in 2025 and 2026 (two villages also in 2024,
which gives the "relapsed" column its cases), and about half of the households that left
poverty get a follow-up visit. A planned class only steers the answers (income against the
line, which indicators are lacking); the class itself is derived by the normal ingest path
(`receive_submission`), which also fills the registry, the movements and the visits.

Everything derives from the seed, one random stream per village and per household, so a
village's households never depend on the others, and the instanceIDs derive from the seed,
so loading twice stores nothing new. No real person is described: names are drawn from lists
of common names and the phone numbers and locations are left empty.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar
from xml.etree.ElementTree import tostring

from sqlalchemy.orm import Session

from server.domain.assess import Assessment, assess
from server.domain.household import HouseholdAnswers, Member
from server.domain.standards import HouseholdClass, Standard, standard_for_year
from server.errors import InvalidXLSForm, NotFound
from server.formats.instance import local_name, parse_xml
from server.formats.instance_builder import build_instance
from server.services import app_users
from server.services import submissions as ingest
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.registry import FOLLOWUP_VISIT, HOUSEHOLD_SURVEY
from server.storage import app_users as app_user_queries
from server.storage import forms as form_queries
from server.storage import registry as registry_queries
from server.storage.areas import villages_within
from server.storage.blobs import BlobStore
from server.storage.models import AppUser, Area, AreaHouseholds

logger = logging.getLogger(__name__)

SUBMITTER_NAME = "Dữ liệu mẫu (demo)"
DEFAULT_REALM = "rasoat"
EARLY, BASE, LAST = 2024, 2025, 2026
_ID_NAMESPACE = uuid.UUID("0b7d7c0e-52a4-4f4e-9d55-6a1f3c2b9e70")

POOR, NEAR, MIDDLE, NOT_POOR = (
    HouseholdClass.POOR,
    HouseholdClass.NEAR_POOR,
    HouseholdClass.MIDDLE,
    HouseholdClass.NOT_POOR,
)
UPLAND = frozenset({"19603", "19621"})
# Poor share of the resident households of 2025 by commune code (else LOWLAND_RATE): upland
# communes 12–15 %, lowland 3–5 %, the township 1–2 %, each at the low end of its band, since
# every household costs two records of ingest time at first start.
POOR_RATES = {"19603": 0.125, "19621": 0.12, "19615": 0.032, "19618": 0.032, "19600": 0.015}
LOWLAND_RATE = 0.03
# Near-poor households per poor one: fewer than in most real communes, for the same reason.
NEAR_POOR_RATIO = 0.4
# Villages whose demo households were also reviewed in 2024, and how many of them relapse.
EARLY_VILLAGES = {"1960303": 3, "1960902": 1}
# Share of Bru-Vân Kiều households: by village, else by commune, else BRU_ELSEWHERE.
BRU_SHARE = {"1960301": 0.95, "19603": 0.6, "19621": 0.6, "19615": 0.04, "19618": 0.04}
BRU_ELSEWHERE = 0.0

Progress = Callable[[int, int], None]
_T = TypeVar("_T")


@dataclass(frozen=True)
class DemoHouseholds:
    """What was loaded; class and movement counts are read back from the registry."""

    households: int
    submissions: int
    created: int
    visits: int
    classes: Mapping[int, Mapping[str, int]]
    movements: Mapping[int, Mapping[str, int]]


# --- people -----------------------------------------------------------------------------------

_KINH_FAMILY = "Nguyễn Nguyễn Nguyễn Lê Lê Lê Trần Trần Hồ Võ Võ Phan Phạm Hoàng Đặng Bùi Ngô"
_BRU_FAMILY = "Hồ Hồ Hồ Hồ Hồ Hồ Lê Lê Nguyễn Trần"
_MIDDLE = {"male": "Văn Văn Văn Văn Hữu Đức Minh Quang Công", "female": "Thị Thị Thị Thị Ngọc Thu"}
_GIVEN = {
    "male": "Hùng Dũng Thắng Tuấn Nam Hải Sơn Bình Lợi Phúc Toàn Thành Cường Hòa Tâm Đông Quý "
    "Lâm Phong Tài Hiếu Trung Vinh Sáu Lộc",
    "female": "Hoa Lan Hương Mai Hà Thu Nga Hằng Liên Nhung Thảo Tuyết Hạnh Loan Xuân Hiền Vân "
    "Yến Oanh Cúc Lành",
}
_YOUNG = {
    "male": "An Bảo Khánh Huy Minh Phúc Đạt Khoa Long Quân Kiên Nhật Duy",
    "female": "Nhi Vy Ngân Trâm Linh My Quỳnh Hân Thư Trang Anh Ly",
}
# Many Bru-Vân Kiều people of Quảng Trị carry the family name Hồ and a given name of their own
# language; many others have given names shared with the Kinh.
_BRU_GIVEN = {
    "male": "Lăm Bai Đoan Hiêng Khăm Thuốt Tiêng Chiêu Sinh Lực Mến",
    "female": "Xoan Ngam Mây Thoang Nhiêm Xuôi Ly Pia",
}


@dataclass(frozen=True)
class _Person:
    name: str
    sex: str
    relation: str
    birth_year: int
    education: str  # the highest level finished, once grown up
    work: str  # main work, once grown up


class _Namer:
    def __init__(self, rng: random.Random, bru: bool) -> None:
        self.rng, self.bru = rng, bru
        self.family = self.pick(_BRU_FAMILY if bru else _KINH_FAMILY)

    def pick(self, words: str) -> str:
        return self.rng.choice(words.split())

    def name(self, sex: str, family: str, age: int) -> str:
        middle = ("Văn" if sex == "male" else "Thị") if self.bru else self.pick(_MIDDLE[sex])
        if age < 25 and self.rng.random() < 0.7:
            given = self.pick(_YOUNG[sex])
        elif self.bru and self.rng.random() < 0.6:
            given = self.pick(_BRU_GIVEN[sex])
        else:
            given = self.pick(_GIVEN[sex])
        return f"{family} {middle} {given}"

    def other_family(self) -> str:
        return self.pick(_BRU_FAMILY if self.bru else _KINH_FAMILY)


def _adult_education(rng: random.Random, age: int, bru: bool) -> str:
    if age <= 32:  # also 30 or younger in 2024, when adult education is still asked about
        return rng.choice(["upper_secondary", "upper_secondary", "vocational", "higher"])
    if age >= 60:
        return rng.choice(["none", "primary"] if bru else ["primary", "lower_secondary"])
    if bru:
        return rng.choice(["primary", "primary", "lower_secondary"])
    return rng.choice(["lower_secondary", "lower_secondary", "upper_secondary"])


def _adult_work(rng: random.Random, age: int, urban: bool) -> str:
    """Main work from 18 on; someone younger now works once out of school (at 23 here)."""
    if age > 60:
        return rng.choice(["retired_homemaker", "retired_homemaker", "self_employed", "unable"])
    if rng.random() < 0.04:
        return "unable"
    if urban or rng.random() < 0.15:
        return rng.choice(["stable_contract", "self_employed"])
    return "self_employed"


@dataclass
class _Roster:
    namer: _Namer
    urban: bool
    people: list[_Person] = field(default_factory=list)

    def add(self, sex: str, relation: str, age: int, family: str | None = None) -> None:
        rng = self.namer.rng
        family = family or self.namer.family
        self.people.append(
            _Person(
                name=self.namer.name(sex, family, age),
                sex=sex,
                relation=relation,
                birth_year=BASE - age,
                education=_adult_education(rng, max(age, 23), self.namer.bru),
                work=_adult_work(rng, age, self.urban) if age >= 18 else "stable_contract",
            )
        )

    def couple(self, head_age: int) -> None:
        self.add("male", "head", head_age)
        wife_age = max(20, head_age - self.namer.rng.randint(0, 6))
        self.add("female", "spouse", wife_age, self.namer.other_family())

    def children(self, count: int, youngest: int, oldest: int) -> None:
        rng = self.namer.rng
        for age in sorted((rng.randint(youngest, oldest) for _ in range(count)), reverse=True):
            self.add(rng.choice(["male", "female"]), "child", age)


def _roster(rng: random.Random, bru: bool, urban: bool, kind: str) -> list[_Person]:
    roster = _Roster(_Namer(rng, bru), urban)
    if kind == "elderly":
        _elderly(roster, rng)
    elif kind == "single":
        roster.add("female", "head", rng.randint(28, 48))
        roster.children(rng.randint(1, 3), 2, 17)
    elif kind == "grown":
        roster.couple(rng.randint(42, 56))
        roster.children(rng.randint(1, 3), 11, 24)
    else:
        head = rng.randint(26, 42)
        roster.couple(head)
        roster.children(rng.randint(1, 4 if bru else 3), 1, min(15, head - 20))
        if kind == "three_generations":
            sex = rng.choice(["male", "female"])
            family = roster.namer.family if sex == "male" else roster.namer.other_family()
            roster.add(sex, "parent", rng.randint(head + 22, 84), family)
    return roster.people


def _elderly(roster: _Roster, rng: random.Random) -> None:
    age = rng.randint(64, 84)
    if rng.random() < 0.5:
        roster.add("female", "head", age)
    else:
        roster.couple(age)
    if rng.random() < 0.4:
        roster.add(rng.choice(["male", "female"]), "other", rng.randint(5, 14))


# Kinds of household (see _roster) by weight: young Bru-Vân Kiều families are the typical poor
# household upland, the elderly and single parents in the lowland and the township.
_KINDS = {
    "upland": (
        ("young", 35),
        ("grown", 20),
        ("three_generations", 20),
        ("elderly", 10),
        ("single", 15),
    ),
    "lowland": (
        ("elderly", 30),
        ("single", 15),
        ("three_generations", 20),
        ("young", 20),
        ("grown", 15),
    ),
    "better_off": (("grown", 40), ("young", 30), ("three_generations", 30)),
}


def _kind(rng: random.Random, setting: str, first: HouseholdClass) -> str:
    return _pick(rng, _KINDS["better_off" if first in (MIDDLE, NOT_POOR) else setting])


# --- households and their plans ---------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    """The household's place, as (not lacking, lacking) pairs for the indicators it can lack."""

    water: tuple[str, str]
    latrine: tuple[str, str]
    non_durable_parts: tuple[int, int]
    m2_per_person: tuple[float, float]
    devices: frozenset[str]
    loudspeaker: bool
    bad_work: str


@dataclass(frozen=True)
class _Household:
    code: str
    village: str
    commune: str
    urban: bool
    setting: str  # upland, lowland or township
    ethnicity: str
    groups: tuple[str, ...]
    people: tuple[_Person, ...]
    # The member whose answers make the household lack an indicator (employment: a worker…).
    roles: Mapping[str, int]
    look: _Look
    plan: Mapping[int, HouseholdClass]


_WEIGHTS = {  # how often each indicator is lacking, by setting
    "upland": "housing_quality 7 floor_area 4 water_source 5 latrine 8 internet 6 "
    "information_means 1.5 health_insurance 1.5 nutrition 4 child_schooling 2 "
    "adult_education 5 employment 3",
    "lowland": "housing_quality 4 floor_area 2 water_source 1.5 latrine 4.5 internet 6 "
    "information_means 1 health_insurance 3 nutrition 1.5 child_schooling 0.5 "
    "adult_education 3 employment 4",
    "township": "housing_quality 3 floor_area 4 water_source 0.3 latrine 2 internet 5 "
    "information_means 0.5 health_insurance 5 nutrition 1 child_schooling 0.5 "
    "adult_education 2 employment 6",
    # what programmes fix first, and what a shock takes away first
    "fixed": "internet 5 health_insurance 4 latrine 4 housing_quality 3 water_source 3 "
    "information_means 3 floor_area 1.5 employment 2 adult_education 1.5 child_schooling 2 "
    "nutrition 2",
    "shock": "employment 4 health_insurance 3 housing_quality 3 nutrition 1 child_schooling 1",
}
# Next period's class given this one's (weights), and the 2024 class given 2025's.
_MOVES = {
    POOR: ((POOR, 79), (NEAR, 8), (MIDDLE, 13)),
    NEAR: ((NEAR, 77), (POOR, 8), (MIDDLE, 15)),
    MIDDLE: ((MIDDLE, 72), (POOR, 14), (NEAR, 14)),
    NOT_POOR: ((NOT_POOR, 88), (POOR, 6), (MIDDLE, 6)),
}
_BEFORE = {
    POOR: ((POOR, 88), (NEAR, 12)),
    NEAR: ((NEAR, 85), (POOR, 15)),
    MIDDLE: ((MIDDLE, 80), (POOR, 20)),
    NOT_POOR: ((NOT_POOR, 1),),
}
# Deficiencies counted when a household is first reviewed: (count, weight) per class.
_FIRST_COUNTS = {
    POOR: ((3, 35), (4, 32), (5, 22), (6, 11)),
    NEAR: ((0, 25), (1, 40), (2, 35)),
    MIDDLE: ((0, 40), (1, 30), (2, 20), (3, 10)),
    NOT_POOR: ((0, 75), (1, 25)),
}


def _weights(name: str) -> dict[str, float]:
    words = _WEIGHTS[name].split()
    return {code: float(weight) for code, weight in zip(words[::2], words[1::2], strict=True)}


def _stream(seed: int, *parts: object) -> random.Random:
    # Reproducible demo data, not secrets: the same seed must give the same households.
    return random.Random(":".join(str(p) for p in (seed, *parts)))  # noqa: S311


def _pick(rng: random.Random, table: Sequence[tuple[_T, int]]) -> _T:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


def _village_plans(
    rng: random.Random, village: str, poor_rate: float, residents: int
) -> list[dict[int, HouseholdClass]]:
    poor = round(residents * poor_rate * rng.uniform(0.9, 1.1))
    near = round(poor * NEAR_POOR_RATIO * rng.uniform(0.8, 1.2))
    others = [_pick(rng, ((MIDDLE, 2), (NOT_POOR, 1))) for _ in range(rng.randint(1, 2))]
    plans = [{BASE: first} for first in [POOR] * poor + [NEAR] * near + others]
    rng.shuffle(plans)
    for plan in plans:
        plan[LAST] = _pick(rng, _MOVES[plan[BASE]])
    if village in EARLY_VILLAGES:
        _plan_early(rng, plans, EARLY_VILLAGES[village])
    return plans


def _plan_early(rng: random.Random, plans: list[dict[int, HouseholdClass]], relapses: int) -> None:
    """Review 2024 too; some households poor in 2024, out in 2025 and poor again in 2026."""
    for plan in plans:
        plan[EARLY] = _pick(rng, _BEFORE[plan[BASE]])
    near = [plan for plan in plans if plan[BASE] is NEAR]
    for plan in rng.sample(near, min(relapses, len(near))):
        plan[EARLY] = plan[LAST] = POOR


def _village_households(
    seed: int, village: Area, commune: Area, residents: int
) -> list[_Household]:
    rng = _stream(seed, village.code)
    rate = POOR_RATES.get(commune.code, LOWLAND_RATE)
    plans = _village_plans(rng, village.code, rate, residents)
    numbers = sorted(rng.sample(range(1, max(residents, len(plans)) + 1), len(plans)))
    return [
        _household(seed, village, commune, f"{village.code}-{number:03d}", plan)
        for number, plan in zip(numbers, plans, strict=True)
    ]


def _household(
    seed: int, village: Area, commune: Area, code: str, plan: Mapping[int, HouseholdClass]
) -> _Household:
    rng = _stream(seed, code)
    setting = "township" if village.urban else "upland" if commune.code in UPLAND else "lowland"
    share = BRU_SHARE.get(village.code, BRU_SHARE.get(commune.code, BRU_ELSEWHERE))
    bru = rng.random() < share
    kind = _kind(rng, "upland" if setting == "upland" else "lowland", plan[BASE])
    people = tuple(_roster(rng, bru, village.urban, kind))
    return _Household(
        code=code,
        village=village.code,
        commune=commune.code,
        urban=village.urban,
        setting=setting,
        ethnicity="bru_van_kieu" if bru else "kinh",
        groups=_groups(rng, people, bru, single=kind == "single"),
        people=people,
        roles=_roles(people),
        look=_look(rng, setting),
        plan=dict(plan),
    )


def _groups(
    rng: random.Random, people: Sequence[_Person], bru: bool, *, single: bool
) -> tuple[str, ...]:
    head_age = BASE - people[0].birth_year
    merit = rng.random() < (0.15 if head_age >= 65 else 0.05) * (0.3 if bru else 1.0)
    needy = single or head_age >= 80 or any(p.work == "unable" for p in people)
    protected = rng.random() < (0.6 if needy else 0.02)
    return tuple(g for g, on in (("nguoi_co_cong", merit), ("bao_tro_xa_hoi", protected)) if on)


def _first(people: Sequence[_Person], test: Callable[[_Person, int], bool]) -> int | None:
    return next((i for i, p in enumerate(people) if test(p, BASE - p.birth_year)), None)


def _last(people: Sequence[_Person], test: Callable[[_Person, int], bool]) -> int | None:
    found = _first(people[::-1], test)
    return None if found is None else len(people) - 1 - found


def _roles(people: Sequence[_Person]) -> dict[str, int]:
    """Who can make the household lack a member indicator, chosen so that the ages fit in
    every period reviewed (2024–2026)."""
    young = {"child", "other"}
    roles = {
        "adult_education": _first(people, lambda p, a: p.relation in young and 17 <= a <= 24),
        "child_schooling": _first(people, lambda p, a: 11 <= a <= 14),
        "nutrition": _last(people, lambda p, a: 1 <= a <= 12),
        "health_insurance": _first(people, lambda p, a: p.relation == "spouse" and a >= 18) or 0,
    }
    roles["employment"] = _first(
        people,
        lambda p, a: (
            19 <= a <= 58
            and p.work in ("self_employed", "stable_contract")
            and p.relation not in young
        ),
    )
    return {code: index for code, index in roles.items() if index is not None}


def _look(rng: random.Random, setting: str) -> _Look:
    safe = {
        "upland": ["protected_spring", "drilled_well", "piped"],
        "lowland": ["piped", "drilled_well", "protected_dug_well", "rain_water"],
        "township": ["piped"],
    }[setting]
    unsafe = ["unprotected_spring", "surface_water", "unprotected_well"]
    devices = rng.choice([["tv"], ["tv", "radio"], ["radio"], []])
    return _Look(
        water=(rng.choice(safe), rng.choice(unsafe if setting == "upland" else unsafe[2:])),
        latrine=(
            rng.choice(["septic", "semi_septic", "pour_flush"]),
            rng.choice(["simple_pit"] * 2 + ["none"]),
        ),
        non_durable_parts=(rng.choice([0, 0, 1]), rng.choice([2, 3])),
        m2_per_person=(rng.uniform(9, 18), rng.uniform(4, 7.3)),
        devices=frozenset(devices),
        loudspeaker=not devices or rng.random() < 0.8,
        bad_work=_pick(rng, (("unstable_no_contract", 4), ("unemployed", 1))),
    )


def _households(session: Session, seed: int) -> list[_Household]:
    households: list[_Household] = []
    for village, commune in villages_within(session, None):
        residents = session.get(AreaHouseholds, (village.id, BASE))
        count = residents.households if residents is not None else 0
        households.extend(_village_households(seed, village, commune, count))
    return households


# --- answers that reach the planned class -----------------------------------------------------


@dataclass(frozen=True)
class _Condition:
    """One period of a household: the indicators its answers lack and its income per person
    as a share of the poverty line."""

    lacking: frozenset[str]
    share: float


def _coupled(lacking: set[str]) -> set[str]:
    # A household with no device at all does not use the internet either.
    return lacking | {"internet"} if "information_means" in lacking else lacking


def _draw(
    rng: random.Random, weights: Mapping[str, float], taken: set[str], count: int
) -> set[str]:
    pool = {code: weight for code, weight in weights.items() if code not in taken}
    chosen = set(taken)
    while pool and len(_coupled(chosen)) < len(taken) + count:
        code = rng.choices(list(pool), list(pool.values()))[0]
        chosen.add(code)
        del pool[code]
    return _coupled(chosen)


def _drop(rng: random.Random, lacking: set[str], keep: int) -> set[str]:
    fixed = _weights("fixed")
    left = set(lacking)
    while len(left) > max(keep, 0):
        code = rng.choices(sorted(left), [fixed[c] for c in sorted(left)])[0]
        left -= {code, "information_means"} if code == "internet" else {code}
    return left


def _lacking(
    h: _Household,
    target: HouseholdClass,
    before: tuple[HouseholdClass, _Condition] | None,
    rng: random.Random,
    *,
    structural: int,
    cutoff: int,
) -> frozenset[str]:
    """Indicators to lack for the target class; `structural` ones (dependants) come from the
    roster already, and `cutoff` deficiencies make a household under the line poor."""
    weights = {c: w for c, w in _weights(h.setting).items() if c in h.roles or c not in _ROLES}
    if before is None:
        lacking = _draw(rng, weights, set(), _pick(rng, _FIRST_COUNTS[target]) - structural)
    else:
        lacking = set(before[1].lacking)
        # A house does not shrink, nor does a latrine or a well decay.
        weights = {c: w for c, w in weights.items() if c not in _LASTING or c in lacking}
    if target is POOR:
        return frozenset(_poor_now(rng, weights, lacking, before, cutoff - structural))
    most = {NEAR: cutoff - 1, NOT_POOR: 1}.get(target)
    if most is None and before is not None and before[0] is POOR:
        most = rng.choice([0, 1, 1, 2])  # out of poverty by income, with some help
    return frozenset(lacking if most is None else _drop(rng, lacking, most - structural))


def _poor_now(
    rng: random.Random,
    weights: Mapping[str, float],
    lacking: set[str],
    before: tuple[HouseholdClass, _Condition] | None,
    needed: int,
) -> set[str]:
    """A shock takes something away from a household that was not poor; a poor household
    may get one deficiency fixed while another one takes its place."""
    if before is not None and before[0] is not POOR:
        shock = {c: w for c, w in _weights("shock").items() if c in weights}
        lacking = _draw(rng, shock, lacking, 1)
    elif before is not None and rng.random() < 0.35:
        lacking = _drop(rng, lacking, len(lacking) - 1)
    return _draw(rng, weights, lacking, needed - len(lacking))


_LASTING = ("floor_area", "water_source", "latrine")
_ROLES = ("adult_education", "child_schooling", "nutrition", "health_insurance", "employment")


def _share(
    target: HouseholdClass, before: tuple[HouseholdClass, _Condition] | None, rng: random.Random
) -> float:
    last = before[1].share if before is not None else None
    if target in (POOR, NEAR):
        if last is not None and last <= 0.97:
            return min(0.97, last * rng.uniform(1.0, 1.08))
        return rng.uniform(0.45 if target is POOR else 0.6, 0.95)
    if target is MIDDLE:
        if last is not None and 1.05 <= last <= 1.45:
            return min(1.45, last * rng.uniform(1.0, 1.06))
        return rng.uniform(1.12 if last is not None and last < 1 else 1.05, 1.35)
    if last is not None and last >= 1.6:
        return last * rng.uniform(1.0, 1.08)
    return rng.uniform(1.6, 2.6)


def _conditions(h: _Household, seed: int) -> dict[int, _Condition]:
    rng = _stream(seed, h.code, "conditions")
    conditions: dict[int, _Condition] = {}
    before: tuple[HouseholdClass, _Condition] | None = None
    for period in sorted(h.plan):
        target = h.plan[period]
        standard = standard_for_year(period)
        structural = _assessment(h, period, _Condition(frozenset(), 1.0), standard)
        lacking = _lacking(
            h,
            target,
            before,
            rng,
            structural=structural.deficiency_count,
            cutoff=standard.deficiency_cutoff,
        )
        conditions[period] = _Condition(lacking, _share(target, before, rng))
        before = (target, conditions[period])
    return conditions


def _lacks(h: _Household, index: int, lacking: frozenset[str], code: str) -> bool:
    """Whether this member is the one who makes the household lack `code`."""
    return code in lacking and h.roles.get(code) == index


def _activity(
    h: _Household, index: int, age: int, lacking: frozenset[str]
) -> tuple[bool, str, str]:
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


def _member(h: _Household, index: int, period: int, lacking: frozenset[str]) -> Member:
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


def _income(share: float, line: Decimal, members: int) -> Decimal:
    step = 50_000  # what a cadre writes down: a round figure
    return Decimal(round(share * float(line) * members / step) * step)


def _answers(
    h: _Household, period: int, condition: _Condition, standard: Standard
) -> HouseholdAnswers:
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
        household_income_month=_income(
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


def _assessment(
    h: _Household, period: int, condition: _Condition, standard: Standard
) -> Assessment:
    return assess(_answers(h, period, condition, standard), standard, urban=h.urban)


# --- records, as a phone would send them ------------------------------------------------------


@dataclass(frozen=True)
class _Record:
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


def _device(h: _Household) -> str:
    return f"collect:demo-{h.village}"


def _phone_view(
    answers: HouseholdAnswers, assessment: Assessment, standard: Standard, urban: bool
) -> dict[str, object]:
    """The phone's own calculations, equal to the server's (a phone that disagrees is
    recorded as such, which the demo must not show)."""
    lines = standard.lines(urban)
    view: dict[str, object] = {
        f"d_{i.code}": int(i.code in assessment.deficient)
        for i in standard.indicators
        if i.code not in assessment.unassessed
    }
    view.update(
        ethnic_minority=int(answers.ethnic_minority),
        n_members=len(answers.members),
        deficiency_count=assessment.deficiency_count,
        income_per_person=assessment.income_per_person,
        urban=int(urban),
        poverty_line=int(lines.poverty),
        middle_line=int(lines.middle),
        provisional_class=assessment.household_class,
    )
    return view


def _member_values(member: Member, period: int) -> dict[str, object]:
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


def _survey_record(
    h: _Household, period: int, condition: _Condition, skeleton: bytes, seed: int
) -> tuple[_Record, Assessment]:
    standard = standard_for_year(period)
    answers = _answers(h, period, condition, standard)
    assessment = assess(answers, standard, urban=h.urban)
    rng = _stream(seed, h.code, period)
    values: dict[str, object] = {
        **_clock(rng, f"{period}-10-{rng.randint(1, 31):02d}"),
        "deviceid": _device(h),
        "review_year": period,
        "commune": h.commune,
        "village": h.village,
        "household_code": h.code,
        "head_name": answers.head_name,
        "ethnicity": h.ethnicity,
        "groups": list(h.groups),
        "household_income_month": answers.household_income_month,
        "has_house": answers.has_house,
        "non_durable_parts": answers.non_durable_parts,
        "floor_area_m2": answers.floor_area_m2,
        "water_source": answers.water_source,
        "latrine": answers.latrine,
        "uses_internet": answers.uses_internet,
        "info_devices": sorted(answers.info_devices),
        "hears_loudspeaker": answers.hears_loudspeaker,
        **_phone_view(answers, assessment, standard, h.urban),
        "instanceName": f"{h.code} {answers.head_name}",
    }
    xml = build_instance(
        skeleton,
        values,
        instance_id=_instance_id(seed, h.code, period),
        repeats={"member": [_member_values(m, period) for m in answers.members]},
    )
    return _Record(HOUSEHOLD_SURVEY, xml, _device(h)), assessment


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
    h: _Household, rng: random.Random, condition: _Condition, lacking: frozenset[str]
) -> dict[str, object]:
    """A visit in November 2026 to a household that left poverty in the 2026 review; about a
    quarter had a shock since, and the cadre's judgement follows what they saw."""
    shocks = sorted({_pick(rng, _SHOCKS) for _ in range(rng.randint(1, 2))})
    shocks = shocks if rng.random() < 0.25 else []
    share = condition.share * (rng.uniform(0.8, 0.95) if shocks else rng.uniform(1.02, 1.12))
    near_line, estimated = share <= 1.2, rng.random() < 0.8
    risky = near_line or len(lacking) >= 2
    income = _income(share, standard_for_year(LAST).lines(h.urban).poverty, len(h.people))
    loan, livelihood = rng.random() < 0.5, rng.random() < 0.35
    help_needed = {_SUPPORT_FOR[c] for c in lacking if c in _SUPPORT_FOR}
    return {
        "income_change": "decreased" if shocks else rng.choice(["increased", "increased", "same"]),
        "household_income_month": income if estimated else None,
        "member_count": len(h.people),
        "work_change": "worse"
        if {"illness", "job_loss"} & set(shocks)
        else rng.choice(["better", "same"]),
        "shocks": shocks,
        "shock_count": len(shocks),
        "hi_card_valid": "health_insurance" not in lacking,
        "hi_card_expiry": None if "health_insurance" in lacking else f"{LAST}-12-31",
        "loan_active": loan,
        "loan_due": f"{rng.randint(2027, 2029)}-{rng.randint(1, 12):02d}-15" if loan else None,
        "livelihood_support": livelihood,
        "livelihood_end": f"2027-{rng.randint(1, 12):02d}-28" if livelihood else None,
        "recheck_deficient": sorted(lacking),
        "recheck_count": len(lacking),
        "relapse_risk": "high" if shocks and risky else "medium" if shocks or risky else "low",
        "support_needed": sorted(help_needed | ({"credit", "livelihood"} if risky else set())),
    }


def _visit_records(
    h: _Household, period: int, review: tuple[_Condition, Assessment], skeleton: bytes, seed: int
) -> list[_Record]:
    """About half of the households that left poverty in 2026 are visited in November."""
    rng = _stream(seed, h.code, "visit")
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
    xml = build_instance(skeleton, values, instance_id=_instance_id(seed, h.code, "visit", LAST))
    return [_Record(FOLLOWUP_VISIT, xml, _device(h))]


def _records(
    households: Sequence[_Household], skeletons: Mapping[str, bytes], seed: int
) -> list[_Record]:
    """Every review, period after period as the campaigns ran, then the visits."""
    conditions = {h.code: _conditions(h, seed) for h in households}
    reviews: list[_Record] = []
    visits: list[_Record] = []
    missed = 0
    for period in (EARLY, BASE, LAST):
        for h in [h for h in households if period in h.plan]:
            condition = conditions[h.code][period]
            record, assessment = _survey_record(
                h, period, condition, skeletons[HOUSEHOLD_SURVEY], seed
            )
            reviews.append(record)
            missed += assessment.household_class is not h.plan[period]
            review = (condition, assessment)
            visits += _visit_records(h, period, review, skeletons[FOLLOWUP_VISIT], seed)
    if missed:
        logger.warning("%d demo reviews did not reach their planned class", missed)
    return reviews + visits


# --- loading ----------------------------------------------------------------------------------


def _instance_skeleton(xform: bytes) -> bytes:
    """The form's primary instance alone, which is all `build_instance` reads: parsing the
    whole XForm again for each of a thousand records would take seconds."""
    for node in parse_xml(xform).iter():
        if local_name(node.tag) == "instance" and len(node) == 1 and node[0].get("id"):
            skeleton: bytes = tostring(node, encoding="utf-8")
            return skeleton
    raise InvalidXLSForm(problems="the XForm has no primary instance")


def _published_xform(session: Session, xml_form_id: str) -> bytes:
    form = form_queries.find_form(session, DEFAULT_PROJECT_ID, xml_form_id)
    version = form_queries.published_version(session, form) if form is not None else None
    if version is None:
        raise NotFound(what=f"published form {xml_form_id}")
    return version.xform


def _submitter(session: Session, realm: str) -> AppUser:
    """The demo's own app user (no area, every form); found again on a second run."""
    for user in app_user_queries.list_app_users(session, DEFAULT_PROJECT_ID):
        if user.display_name == SUBMITTER_NAME and user.area_id is None and user.revoked_at is None:
            return user
    new = app_users.create_app_user(
        session, project_id=DEFAULT_PROJECT_ID, display_name=SUBMITTER_NAME, realm=realm
    )
    created = app_user_queries.find_by_login(session, new.login)
    if created is None:
        raise NotFound(what=f"app user {new.login}")
    return created


@contextmanager
def _quiet(target: logging.Logger) -> Iterator[None]:
    """One log line per stored record is right for phones, noise for a thousand demo records."""
    level = target.level
    target.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        target.setLevel(level)


def _send(
    session: Session,
    blobs: BlobStore,
    submitter: AppUser,
    records: Sequence[_Record],
    progress: Progress | None,
) -> int:
    created = 0
    with _quiet(ingest.logger):
        for done, record in enumerate(records, start=1):
            incoming = ingest.IncomingSubmission(xml=record.xml, device_id=record.device_id)
            receipt = ingest.receive_submission(session, blobs, submitter, incoming)
            created += receipt.outcome is ingest.Outcome.CREATED
            if progress is not None:
                progress(done, len(records))
    return created


def _tally(
    session: Session, households: Sequence[_Household]
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    classes: dict[int, Counter[str]] = {}
    movements: dict[int, Counter[str]] = {}
    for h in households:
        found = registry_queries.find_household(session, h.code)
        for review in registry_queries.reviews_of(session, found.id) if found else ():
            classes.setdefault(review.period, Counter())[review.household_class or "none"] += 1
            movements.setdefault(review.period, Counter())[review.transition or "baseline"] += 1
    return (
        {period: dict(counts) for period, counts in sorted(classes.items())},
        {period: dict(counts) for period, counts in sorted(movements.items())},
    )


def load_demo_households(
    session: Session,
    blobs: BlobStore,
    *,
    seed: int = 2026,
    realm: str = DEFAULT_REALM,
    progress: Progress | None = None,
) -> DemoHouseholds:
    """Send the demo households' reviews and visits through the normal ingest path.

    Needs the demo areas and the published forms `household_survey` and `followup_visit` of
    the default project. `progress(done, total)` is called after each record.
    """
    skeletons = {
        form_id: _instance_skeleton(_published_xform(session, form_id))
        for form_id in (HOUSEHOLD_SURVEY, FOLLOWUP_VISIT)
    }
    households = _households(session, seed)
    records = _records(households, skeletons, seed)
    created = _send(session, blobs, _submitter(session, realm), records, progress)
    classes, movements = _tally(session, households)
    visits = sum(1 for record in records if record.form_id == FOLLOWUP_VISIT)
    logger.info(
        "demo households: %d households, %d records (%d new), %d visits",
        len(households),
        len(records),
        created,
        visits,
    )
    return DemoHouseholds(len(households), len(records), created, visits, classes, movements)
