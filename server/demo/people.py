"""Demo people: who lives in a demo household.

Owns the names (drawn from lists of common Kinh and Bru-Vân Kiều names; no real person is
described), the kinds of household and their rosters (ages, education, main work as of the
2025 review), the groups a household belongs to, and which member can make the household
lack a member indicator (`member_roles`), chosen so that ages fit every period reviewed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from server.demo.plans import BASE, MIDDLE, NOT_POOR, pick
from server.domain.standards import HouseholdClass

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
class Person:
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
    people: list[Person] = field(default_factory=list)

    def add(self, sex: str, relation: str, age: int, family: str | None = None) -> None:
        rng = self.namer.rng
        family = family or self.namer.family
        self.people.append(
            Person(
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


def draw_roster(rng: random.Random, bru: bool, urban: bool, kind: str) -> list[Person]:
    """The members of a household of this kind (see `household_kind`), head first."""
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


# Kinds of household (see draw_roster) by weight: young Bru-Vân Kiều families are the typical
# poor household upland, the elderly and single parents in the lowland and the township.
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


def household_kind(rng: random.Random, setting: str, first: HouseholdClass) -> str:
    """The kind of a household upland or lowland whose first planned class is `first`."""
    return pick(rng, _KINDS["better_off" if first in (MIDDLE, NOT_POOR) else setting])


def household_groups(
    rng: random.Random, people: Sequence[Person], bru: bool, *, single: bool
) -> tuple[str, ...]:
    """The groups a household belongs to: merit (người có công), social protection."""
    head_age = BASE - people[0].birth_year
    merit = rng.random() < (0.15 if head_age >= 65 else 0.05) * (0.3 if bru else 1.0)
    needy = single or head_age >= 80 or any(p.work == "unable" for p in people)
    protected = rng.random() < (0.6 if needy else 0.02)
    return tuple(g for g, on in (("nguoi_co_cong", merit), ("bao_tro_xa_hoi", protected)) if on)


def _first(people: Sequence[Person], test: Callable[[Person, int], bool]) -> int | None:
    return next((i for i, p in enumerate(people) if test(p, BASE - p.birth_year)), None)


def _last(people: Sequence[Person], test: Callable[[Person, int], bool]) -> int | None:
    found = _first(people[::-1], test)
    return None if found is None else len(people) - 1 - found


def member_roles(people: Sequence[Person]) -> dict[str, int]:
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
