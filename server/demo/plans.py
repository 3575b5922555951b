"""Demo plans: what each village of the demo is meant to show, and the deficiencies that get a
household there.

Owns the review years, the poor rates by commune and the Bru-Vân Kiều shares, the random
streams everything derives from, each village's planned households (a class per period:
poverty exits, new poor, relapses) and the draw of the indicators a household lacks and of
its income per person against the line, period after period, so that its answers reach the
planned class (`answers` turns that into answers).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from server.domain.standards import HouseholdClass

EARLY, BASE, LAST = 2024, 2025, 2026
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

Plan = dict[int, HouseholdClass]
_T = TypeVar("_T")


def stream(seed: int, *parts: object) -> random.Random:
    """The random stream of one part of the demo (a village, a household, a visit…)."""
    # Reproducible demo data, not secrets: the same seed must give the same households.
    return random.Random(":".join(str(p) for p in (seed, *parts)))  # noqa: S311


def pick(rng: random.Random, table: Sequence[tuple[_T, int]]) -> _T:
    """One value of a (value, weight) table."""
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


# --- classes, period after period -----------------------------------------------------------------

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


def village_plans(rng: random.Random, village: str, poor_rate: float, residents: int) -> list[Plan]:
    """The planned class of each demo household of a village, by period."""
    poor = round(residents * poor_rate * rng.uniform(0.9, 1.1))
    near = round(poor * NEAR_POOR_RATIO * rng.uniform(0.8, 1.2))
    others = [pick(rng, ((MIDDLE, 2), (NOT_POOR, 1))) for _ in range(rng.randint(1, 2))]
    plans = [{BASE: first} for first in [POOR] * poor + [NEAR] * near + others]
    rng.shuffle(plans)
    for plan in plans:
        plan[LAST] = pick(rng, _MOVES[plan[BASE]])
    if village in EARLY_VILLAGES:
        _plan_early(rng, plans, EARLY_VILLAGES[village])
    return plans


def _plan_early(rng: random.Random, plans: list[Plan], relapses: int) -> None:
    """Review 2024 too; some households poor in 2024, out in 2025 and poor again in 2026."""
    for plan in plans:
        plan[EARLY] = pick(rng, _BEFORE[plan[BASE]])
    near = [plan for plan in plans if plan[BASE] is NEAR]
    for plan in rng.sample(near, min(relapses, len(near))):
        plan[EARLY] = plan[LAST] = POOR


# --- deficiencies and income that reach the planned class -----------------------------------------

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
# Deficiencies counted when a household is first reviewed: (count, weight) per class.
_FIRST_COUNTS = {
    POOR: ((3, 35), (4, 32), (5, 22), (6, 11)),
    NEAR: ((0, 25), (1, 40), (2, 35)),
    MIDDLE: ((0, 40), (1, 30), (2, 20), (3, 10)),
    NOT_POOR: ((0, 75), (1, 25)),
}
_LASTING = ("floor_area", "water_source", "latrine")
# Indicators lacked through one member (see people.roles), not by the household as such.
_ROLES = ("adult_education", "child_schooling", "nutrition", "health_insurance", "employment")


@dataclass(frozen=True)
class Condition:
    """One period of a household: the indicators its answers lack and its income per person
    as a share of the poverty line."""

    lacking: frozenset[str]
    share: float


Before = tuple[HouseholdClass, Condition] | None


def _weights(name: str) -> dict[str, float]:
    words = _WEIGHTS[name].split()
    return {code: float(weight) for code, weight in zip(words[::2], words[1::2], strict=True)}


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


def draw_lacking(
    setting: str,
    roles: Mapping[str, int],
    target: HouseholdClass,
    before: Before,
    rng: random.Random,
    *,
    structural: int,
    cutoff: int,
) -> frozenset[str]:
    """Indicators to lack for the target class; `structural` ones (dependants) come from the
    roster already, and `cutoff` deficiencies make a household under the line poor."""
    weights = {c: w for c, w in _weights(setting).items() if c in roles or c not in _ROLES}
    if before is None:
        lacking = _draw(rng, weights, set(), pick(rng, _FIRST_COUNTS[target]) - structural)
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
    rng: random.Random, weights: Mapping[str, float], lacking: set[str], before: Before, needed: int
) -> set[str]:
    """A shock takes something away from a household that was not poor; a poor household
    may get one deficiency fixed while another one takes its place."""
    if before is not None and before[0] is not POOR:
        shock = {c: w for c, w in _weights("shock").items() if c in weights}
        lacking = _draw(rng, shock, lacking, 1)
    elif before is not None and rng.random() < 0.35:
        lacking = _drop(rng, lacking, len(lacking) - 1)
    return _draw(rng, weights, lacking, needed - len(lacking))


def draw_share(target: HouseholdClass, before: Before, rng: random.Random) -> float:
    """Income per person as a share of the poverty line, for the target class."""
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
