"""Summary-table and action-list benchmark on a province-sized registry.

For each database (SQLite, PostgreSQL) the script creates a fresh database (schema by the
migrations, as the server does), loads a synthetic registry straight into the tables (COPY on
PostgreSQL, executemany in large transactions on SQLite; which tables and columns, and how a
value is stored, come from the storage layer's models, so a row names its columns and a schema
change shows up as an error, not as values in the wrong place), then times what a district
officer asks for:

1. the review summary table (`review_summary`) of one ordinary district for 2026 (one row per
   commune), and the same for the province (one row per district) and for the large district;
2. the deficiency action list (`deficiency_list`) of the large district written as XLSX
   (`write_xlsx`, streamed to a temporary file), each run in a fresh child process that reports
   its wall time and its peak resident memory (VmHWM, reset just before the export), plus the
   same list only iterated (no XLSX) to separate the database from openpyxl.

The registry (at the default size): one province of 100 districts, 1,010 communes and 10,200
villages: 99 ordinary districts of 10 communes × 10 villages (the first commune of each is an
urban ward of quarters; 2–12 % poor, 3–10 % near-poor, varying by commune) and one large, poor
upland district of 20 communes × 15 villages (~45 % poor, 15 % near-poor, mostly ethnic
minority) sized so that its 2026 deficiency list has about --export-rows rows. Every
household is reviewed in 2025 (the baseline) and 2026 (with movements), each review with its
own submission row; every review has its deficiency rows (poor: 3–6 indicators, near-poor 1–2,
others 0–3). Review and household ids follow a shuffled arrival order, as submissions from a
thousand communes interleave.

Examples:
    .venv/bin/python bench/tables.py                                # both, 1,000,000 reviews
    .venv/bin/python bench/tables.py --database sqlite --reviews 20000 --repeat 2
    .venv/bin/python bench/tables.py --database postgresql --explain
    .venv/bin/python bench/tables.py --database sqlite --try "ANALYZE"
    .venv/bin/python bench/tables.py --database postgresql --try "ANALYZE" \\
        --try "CREATE INDEX ix_try ON household_review (village_id, period) INCLUDE (id)"
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import functools
import io
import json
import os
import pstats
import random
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Dialect

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL_TEMPLATE = "postgresql://postgres@127.0.0.1:5432/{name}"
PERIOD, BASELINE = 2026, 2025
STANDARD_CODE = "nd07_2022"
FORM_ID, PROJECT_ID = 1, 1
SUMMARY_TARGET_S = 1.0
EXPORT_TARGET_S = 30.0
EXPORT_TARGET_MB = 300.0
MB = 1024 * 1024

# NĐ 07/2021 indicators with a rough prevalence among deficient households (weights).
INDICATORS = (
    ("employment", 6),
    ("dependants", 5),
    ("nutrition", 5),
    ("health_insurance", 4),
    ("adult_education", 6),
    ("child_schooling", 3),
    ("housing_quality", 8),
    ("floor_area", 5),
    ("water_source", 7),
    ("latrine", 9),
    ("internet", 10),
    ("information_means", 8),
)
INDICATOR_CODES = tuple(code for code, _ in INDICATORS)
CLASSES = ("poor", "near_poor", "middle", "not_poor")
POOR, NEAR, MIDDLE, NOT_POOR = range(4)
# P(class in 2025 | class in 2026): poverty falls, a few households fall back.
BEFORE = {
    POOR: (0.78, 0.12, 0.07, 0.03),
    NEAR: (0.18, 0.60, 0.16, 0.06),
    MIDDLE: (0.05, 0.14, 0.66, 0.15),
    NOT_POOR: (0.005, 0.025, 0.08, 0.89),
}
# Deficient indicators per review: (counts, weights) by class.
DEFICIENT = {
    POOR: ((3, 4, 5, 6), (30, 30, 25, 15)),
    NEAR: ((1, 2), (50, 50)),
    MIDDLE: ((0, 1, 2, 3), (40, 30, 20, 10)),
    NOT_POOR: ((0, 1, 2), (70, 24, 6)),
}
# Income lines of NĐ 07 (đồng/person/month): poverty, middle; rural and urban.
LINES = {False: (1_500_000, 2_250_000), True: (2_000_000, 3_000_000)}
EVER_EXITED = 0.06  # share of the households not poor in 2025 that had left poverty earlier
LARGE_COMMUNES, LARGE_VILLAGES_PER_COMMUNE = 20, 15  # the large district (the first one)
LARGE_RATES = (0.45, 0.15, 0.15)  # its poor, near-poor and middle shares (rural communes)
URBAN_RATES = 0.4  # urban wards have this fraction of their district's poor/near-poor shares


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY = _words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý")
MIDDLE_NAMES = _words("Văn Thị Đức Minh Hữu Thanh Quốc Ngọc")
GIVEN = _words(
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hoa Hùng Lan Long Mai Nam Phúc Quang Sơn "
    "Tâm Thảo Trang Tuấn Việt Xuân Yến Khánh Linh"
)
EM_FAMILY = _words("Giàng Sùng Vàng Lầu Thào Hầu Lò Hà Lục Nông Triệu Bàn")
EM_MIDDLE = _words("A Mí Seo Thị Văn Chà")
EM_GIVEN = _words("Páo Chứ Mỷ Sử Dình Pó Sính Súa Chản Tủa Lử Mai")
PLACE = _words(
    "Tân Hiệp Phú Hậu An Mỹ Bình Thuận Hòa Lợi Thanh Sơn Đông Tây Nam Bắc Trung Phước "
    "Long Vĩnh Xuân Cam Lộ Hưng Thịnh Quang Minh Đức Hải Gio Linh Triệu Phong"
)


# --------------------------------------------------------------------------- the registry


@dataclass
class Registry:
    """A synthetic registry kept in compact arrays; the table rows are generated from it."""

    seed: int
    areas: list[tuple[int, str, str, str, int | None, str, bool]] = field(default_factory=list)
    village_ids: array[int] = field(default_factory=lambda: array("i"))
    village_codes: list[str] = field(default_factory=list)
    village_urban: list[bool] = field(default_factory=list)
    village_size: array[int] = field(default_factory=lambda: array("i"))
    names: list[str] = field(default_factory=list)
    # One entry per household "slot" (households in village order).
    hh_village: array[int] = field(default_factory=lambda: array("i"))  # village index
    hh_seq: array[int] = field(default_factory=lambda: array("i"))
    hh_name: array[int] = field(default_factory=lambda: array("i"))
    hh_flags: array[int] = field(default_factory=lambda: array("B"))  # em | merit | sp | risk
    cls: dict[int, array[int]] = field(default_factory=dict)
    members: dict[int, array[int]] = field(default_factory=dict)
    income: dict[int, array[int]] = field(default_factory=dict)
    deficient: dict[int, array[int]] = field(default_factory=dict)  # bit masks
    transition: array[int] = field(default_factory=lambda: array("B"))  # 2026, name index
    near_transition: array[int] = field(default_factory=lambda: array("B"))
    transition_names: list[str] = field(default_factory=list)
    household_of_id: array[int] = field(default_factory=lambda: array("i"))  # id-1 -> slot
    arrival_2026: array[int] = field(default_factory=lambda: array("i"))  # rank -> slot
    province_code: str = ""
    district_code: str = ""  # an ordinary district
    large_district_code: str = ""
    large_list_rows: int = 0

    @property
    def households(self) -> int:
        return len(self.hh_village)

    def describe(self) -> str:
        """The class mix and the movements, to check the registry looks like one."""
        n = self.households
        mix = {
            period: " ".join(
                f"{name} {sum(1 for c in self.cls[period] if c == i) / n:.1%}"
                for i, name in enumerate(CLASSES)
            )
            for period in (BASELINE, PERIOD)
        }
        moves = {
            label: ", ".join(
                f"{name} {sum(1 for t in store if t == i):,}"
                for i, name in enumerate(self.transition_names)
                if name != "unchanged"
            )
            for label, store in (("poor", self.transition), ("near-poor", self.near_transition))
        }
        em = sum(f & 1 for f in self.hh_flags) / n
        return (
            f"classes {BASELINE}: {mix[BASELINE]}\nclasses {PERIOD}: {mix[PERIOD]}\n"
            f"movements {PERIOD}, poor: {moves['poor']}; near-poor: {moves['near-poor']}\n"
            f"ethnic minority {em:.1%}"
        )


def _weighted_mask(rng: random.Random, k: int, cum: list[float]) -> int:
    mask = 0
    while mask.bit_count() < k:
        mask |= 1 << rng.choices(range(len(INDICATORS)), cum_weights=cum)[0]
    return mask


def _list_rows_per_household(poor: float, near: float) -> float:
    """Rows of the deficiency list per household: an income row plus one per indicator."""

    def mean(cls: int) -> float:
        counts, weights = DEFICIENT[cls]
        return sum(c * w for c, w in zip(counts, weights, strict=True)) / sum(weights)

    return poor * (1 + mean(POOR)) + near * (1 + mean(NEAR))


def generate(reviews: int, export_rows: int, seed: int) -> Registry:
    rng = random.Random(seed)
    reg = Registry(seed)
    households = reviews // 2
    districts = max(2, round(households / 5000))
    poor, near, _ = LARGE_RATES
    urban_share = 1 / LARGE_COMMUNES  # one ward
    large_per_hh = (1 - urban_share) * _list_rows_per_household(
        poor, near
    ) + urban_share * _list_rows_per_household(poor * URBAN_RATES, near * URBAN_RATES)
    large_households = min(round(export_rows / large_per_hh), households // 2)

    kinh = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE_NAMES for g in GIVEN]
    em = [f"{f} {m} {g}" for f in EM_FAMILY for m in EM_MIDDLE for g in EM_GIVEN]
    reg.names = kinh + em

    # The area tree, depth first, ids in insertion order.
    next_id = 1

    def add(code: str, name: str, level: str, parent: tuple[int, str] | None, urban: bool) -> int:
        nonlocal next_id
        area_id, next_id = next_id, next_id + 1
        path = f"{parent[1] if parent else '/'}{area_id}/"
        reg.areas.append((area_id, code, name, level, parent[0] if parent else None, path, urban))
        return area_id

    reg.province_code = "45"
    province = add("45", "Tỉnh Bench", "province", None, False)
    province_node = (province, f"/{province}/")
    commune_serial = 0
    # (village index range, poor/near/middle rates, em share) per commune
    communes: list[tuple[int, int, tuple[float, float, float], float]] = []
    for d in range(districts):
        large = d == 0
        code = f"{400 + d}"
        name = f"Huyện {rng.choice(PLACE)} {d:03d}"
        district = add(code, name, "district", province_node, False)
        district_node = (district, f"/{province}/{district}/")
        if large:
            reg.large_district_code = code
            n_communes, n_villages = LARGE_COMMUNES, LARGE_VILLAGES_PER_COMMUNE
            rates, em_share = LARGE_RATES, 0.9
        else:
            if d == 1:
                reg.district_code = code
            n_communes, n_villages = 10, 10
            rates = (rng.uniform(0.02, 0.12), rng.uniform(0.03, 0.10), rng.uniform(0.10, 0.20))
            em_share = rng.uniform(0.3, 0.9) if rng.random() < 0.3 else rng.uniform(0.0, 0.05)
        for c in range(n_communes):
            commune_serial += 1
            urban = c == 0
            ccode = f"{20000 + commune_serial}"
            cname = f"{'Phường' if urban else 'Xã'} {rng.choice(PLACE)} {rng.choice(PLACE)}"
            commune = add(ccode, cname, "ward" if urban else "commune", district_node, urban)
            commune_node = (commune, f"{district_node[1]}{commune}/")
            first = len(reg.village_ids)
            for v in range(n_villages):
                vcode = f"{ccode}{v + 1:02d}"
                vname = f"{'Khu phố' if urban else 'Thôn'} {rng.choice(PLACE)} {v + 1}"
                level = "quarter" if urban else "village"
                reg.village_ids.append(add(vcode, vname, level, commune_node, urban))
                reg.village_codes.append(vcode)
                reg.village_urban.append(urban)
            jitter = 1.0 if large else rng.uniform(0.6, 1.4)
            scale = URBAN_RATES if urban else jitter
            commune_rates = (rates[0] * scale, rates[1] * scale, rates[2])
            commune_em = em_share * (0.3 if urban else 1.0)
            communes.append((first, len(reg.village_ids), commune_rates, commune_em))

    # Households per village: the large district takes large_households, the rest the others.
    large_villages = LARGE_COMMUNES * LARGE_VILLAGES_PER_COMMUNE
    weights = [rng.lognormvariate(0, 0.5) for _ in reg.village_ids]
    for lo, hi, total in (
        (0, large_villages, large_households),
        (large_villages, len(weights), households - large_households),
    ):
        share = sum(weights[lo:hi])
        sizes = [max(1, int(total * w / share)) for w in weights[lo:hi]]
        for i in range(total - sum(sizes)):
            sizes[i % len(sizes)] += 1
        reg.village_size.extend(sizes)

    for period in (BASELINE, PERIOD):
        reg.cls[period], reg.members[period] = array("B"), array("B")
        reg.income[period], reg.deficient[period] = array("i"), array("H")
    cum_indicators = list(_cumulative([w for _, w in INDICATORS]))
    before_cum = {k: list(_cumulative(v)) for k, v in BEFORE.items()}
    from server.domain.transitions import transition
    from server.domain.vocabulary import HouseholdClass

    enums = [HouseholdClass(c) for c in CLASSES]

    def transition_index(name: str) -> int:
        if name not in reg.transition_names:
            reg.transition_names.append(name)
        return reg.transition_names.index(name)

    kinh_count = len(kinh)
    for lo, hi, (p_poor, p_near, p_middle), em_share in communes:
        p_rest = max(0.0, 1 - p_poor - p_near - p_middle)
        cum_now = list(_cumulative((p_poor, p_near, p_middle, p_rest)))
        for v in range(lo, hi):
            urban = reg.village_urban[v]
            for seq in range(reg.village_size[v]):
                now = rng.choices(range(4), cum_weights=cum_now)[0]
                before = rng.choices(range(4), cum_weights=before_cum[now])[0]
                is_em = rng.random() < em_share
                merit = rng.random() < 0.03
                sp = rng.random() < (0.25, 0.12, 0.05, 0.03)[now]
                exited_before = rng.random() < EVER_EXITED
                near_exited_before = rng.random() < EVER_EXITED
                tr = transition(
                    enums[before], enums[now], exited_before=exited_before and before != POOR
                )
                ntr = transition(
                    enums[before],
                    enums[now],
                    exited_before=near_exited_before and before != NEAR,
                    group=HouseholdClass.NEAR_POOR,
                )
                risk = tr.value == "exited" and rng.random() < 0.1
                reg.hh_village.append(v)
                reg.hh_seq.append(seq + 1)
                reg.hh_name.append(
                    kinh_count + rng.randrange(len(em)) if is_em else rng.randrange(kinh_count)
                )
                reg.hh_flags.append(is_em | merit << 1 | sp << 2 | risk << 3)
                reg.transition.append(transition_index(tr.value))
                reg.near_transition.append(transition_index(ntr.value))
                for period, cls in ((BASELINE, before), (PERIOD, now)):
                    counts, count_weights = DEFICIENT[cls]
                    k = rng.choices(counts, count_weights)[0]
                    reg.cls[period].append(cls)
                    reg.members[period].append(rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8)))
                    reg.income[period].append(_income(rng, cls, urban))
                    reg.deficient[period].append(_weighted_mask(rng, k, cum_indicators))
                if v < large_villages and now in (POOR, NEAR):
                    reg.large_list_rows += 1 + reg.deficient[PERIOD][-1].bit_count()

    # Arrival order: households are created by their 2025 review, in shuffled order; the 2026
    # reviews arrive in another shuffled order.
    order = list(range(reg.households))
    rng.shuffle(order)
    reg.household_of_id = array("i", order)
    rng.shuffle(order)
    reg.arrival_2026 = array("i", order)
    return reg


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _income(rng: random.Random, cls: int, urban: bool) -> int:
    poverty, middle = LINES[urban]
    if cls in (POOR, NEAR):
        value = rng.uniform(0.35, 1.0) * poverty
    elif cls == MIDDLE:
        value = rng.uniform(poverty + 1000, middle)
    else:
        value = rng.uniform(middle + 1000, middle * 4)
    return int(value) // 1000 * 1000


# --------------------------------------------------------------------------- table rows

Row = dict[str, Any]
_REQUIRED = object()  # a column the rows must give: no default, not nullable


@dataclass(frozen=True)
class TableRows:
    """A table of the storage layer's schema and its rows, each a mapping column -> value."""

    table: Table
    rows: Callable[[], Iterator[Row]]


def table_rows(reg: Registry) -> list[TableRows]:
    """Rows of every table in insertion order, as the Python values of the models' columns."""
    from server.domain.vocabulary import FormState, ReviewState
    from server.storage.models import (
        Area,
        AreaHouseholds,
        Form,
        Household,
        HouseholdReview,
        Project,
        ReviewDeficiency,
        Submission,
    )

    def stamp(period: int) -> datetime:
        return datetime(period, 10, 15, 2, tzinfo=UTC)

    names = reg.names
    transitions = reg.transition_names
    id_of_slot = array("i", [0]) * reg.households
    for hid, slot in enumerate(reg.household_of_id, start=1):
        id_of_slot[slot] = hid
    h = reg.households

    def areas() -> Iterator[Row]:
        for area_id, code, name, level, parent_id, path, urban in reg.areas:
            yield {
                "id": area_id,
                "code": code,
                "name": name,
                "level": level,
                "parent_id": parent_id,
                "path": path,
                "urban": urban,
            }

    def area_households() -> Iterator[Row]:
        for area_id, size in zip(reg.village_ids, reg.village_size, strict=True):
            yield {"area_id": area_id, "year": BASELINE, "households": size}
            yield {"area_id": area_id, "year": PERIOD, "households": size}

    def households() -> Iterator[Row]:
        created = stamp(BASELINE)
        updated = stamp(PERIOD)
        for slot in reg.household_of_id:
            v = reg.hh_village[slot]
            flags = reg.hh_flags[slot]
            yield {
                "id": id_of_slot[slot],
                "code": f"{reg.village_codes[v]}-{reg.hh_seq[slot]:04d}",
                "village_id": reg.village_ids[v],
                "head_name": names[reg.hh_name[slot]],
                "ethnic_minority": bool(flags & 1),
                "merit": bool(flags & 2),
                "social_protection": bool(flags & 4),
                "relapse_risk": bool(flags & 8),
                "relapse_reasons": "thoát nghèo gần đây" if flags & 8 else None,
                "created_at": created,
                "updated_at": updated,
            }

    def review_slots() -> Iterator[tuple[int, int, int]]:
        """(review id, period, slot) in review id order."""
        for i, slot in enumerate(reg.household_of_id):
            yield i + 1, BASELINE, slot
        for i, slot in enumerate(reg.arrival_2026):
            yield h + i + 1, PERIOD, slot

    def submissions() -> Iterator[Row]:
        rng = random.Random(reg.seed + 1)
        for review_id, period, _slot in review_slots():
            at = stamp(period)
            yield {
                "id": review_id,
                "form_id": FORM_ID,
                "instance_id": f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "review_state": ReviewState.APPROVED,
                "created_at": at,
                "updated_at": at,
            }

    def reviews() -> Iterator[Row]:
        for review_id, period, slot in review_slots():
            v = reg.hh_village[slot]
            flags = reg.hh_flags[slot]
            now = period == PERIOD
            yield {
                "id": review_id,
                "household_id": id_of_slot[slot],
                "period": period,
                "submission_id": review_id,
                "village_id": reg.village_ids[v],
                "urban": reg.village_urban[v],
                "standard_code": STANDARD_CODE,
                "income_per_person": reg.income[period][slot],
                "deficiency_count": reg.deficient[period][slot].bit_count(),
                "household_class": CLASSES[reg.cls[period][slot]],
                "transition": transitions[reg.transition[slot]] if now else None,
                "near_poor_transition": transitions[reg.near_transition[slot]] if now else None,
                "members": reg.members[period][slot],
                "ethnic_minority": bool(flags & 1),
                "merit": bool(flags & 2),
                "social_protection": bool(flags & 4),
                "conflict": False,
                "updated_at": stamp(period),
            }

    def deficiencies() -> Iterator[Row]:
        for review_id, period, slot in review_slots():
            mask = reg.deficient[period][slot]
            i = 0
            while mask:
                if mask & 1:
                    yield {"review_id": review_id, "indicator": INDICATOR_CODES[i]}
                mask >>= 1
                i += 1

    def static(*rows: Row) -> Callable[[], Iterator[Row]]:
        return lambda: iter(rows)

    at = stamp(BASELINE)
    form = {
        "id": FORM_ID,
        "project_id": PROJECT_ID,
        "xml_form_id": "household_survey",
        "title": "Rà soát hộ",
        "state": FormState.OPEN,
        "created_at": at,
        "updated_at": at,
    }
    return [
        TableRows(Project.__table__, static({"id": PROJECT_ID, "name": "Bench", "created_at": at})),
        TableRows(Form.__table__, static(form)),
        TableRows(Area.__table__, areas),
        TableRows(AreaHouseholds.__table__, area_households),
        TableRows(Household.__table__, households),
        TableRows(Submission.__table__, submissions),
        TableRows(HouseholdReview.__table__, reviews),
        TableRows(ReviewDeficiency.__table__, deficiencies),
    ]


# --------------------------------------------------------------------------- loading


def _plain_pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _dialect(kind: str) -> Dialect:
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

    return PGDialect_psycopg() if kind == "postgresql" else SQLiteDialect_pysqlite()


def _missing(column: Column[Any]) -> Any:
    """What a row that leaves the column out stores: its default, else NULL if it may."""
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg
    if column.nullable and column.server_default is None:
        return None
    return _REQUIRED


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    # Remembered per value: the columns converted (timestamps, flags, enums, incomes) take few
    # distinct values, and converting each anew would double the build time on SQLite.
    return None if process is None else functools.cache(process)


@dataclass(frozen=True)
class Encoder:
    """Every column of a table in its schema order, and rows turned into values in that order
    as SQLAlchemy would send them to the dialect (enums as their values, SQLite timestamps as
    text), so the raw driver loads what the server itself would have written."""

    table: Table
    columns: tuple[str, ...]
    plan: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]
    known: frozenset[str]
    required: frozenset[str]

    @classmethod
    def of(cls, table: Table, dialect: Dialect) -> Encoder:
        plan = tuple((c.name, _missing(c), _processor(c, dialect)) for c in table.columns)
        quote = dialect.identifier_preparer.quote
        return cls(
            table,
            tuple(quote(name) for name, _, _ in plan),
            plan,
            frozenset(name for name, _, _ in plan),
            frozenset(name for name, missing, _ in plan if missing is _REQUIRED),
        )

    def values(self, row: Row) -> tuple[Any, ...]:
        if not self.required <= row.keys() <= self.known:
            raise KeyError(self._mistake(row))
        return tuple(
            [
                value if process is None or value is None else process(value)
                for name, missing, process in self.plan
                for value in (row.get(name, missing),)
            ]
        )

    def _mistake(self, row: Row) -> str:
        if unknown := row.keys() - self.known:
            return f"{self.table.name} has no column {', '.join(sorted(unknown))}"
        absent = ", ".join(sorted(self.required - row.keys()))
        return f"{self.table.name}: {absent} has no default, so every row must give it"


def load_postgresql(url: str, reg: Registry) -> dict[str, int]:
    import psycopg

    dialect = _dialect("postgresql")
    tables = table_rows(reg)
    counts: dict[str, int] = {}
    with psycopg.connect(_plain_pg_url(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            for table in tables:
                encoder = Encoder.of(table.table, dialect)
                started = time.perf_counter()
                n = 0
                columns = ", ".join(encoder.columns)
                with cur.copy(f"COPY {table.table.name} ({columns}) FROM STDIN") as copy:
                    for row in table.rows():
                        copy.write_row(encoder.values(row))
                        n += 1
                counts[table.table.name] = n
                _progress(table.table.name, n, started)
            for table in tables:
                serial = table.table.autoincrement_column
                if serial is not None:
                    name = table.table.name
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{name}', '{serial.name}'), "
                        f"(SELECT max({serial.name}) FROM {name}))"
                    )
        conn.commit()
    started = time.perf_counter()
    with psycopg.connect(_plain_pg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")  # what autovacuum would soon do after a bulk load
    _progress("VACUUM ANALYZE", 0, started)
    return counts


def load_sqlite(path: Path, reg: Registry) -> dict[str, int]:
    dialect = _dialect("sqlite")
    counts: dict[str, int] = {}
    con = sqlite3.connect(path, isolation_level=None)
    try:
        # Build only: the server itself runs with WAL and synchronous=FULL (storage/sqlite.py).
        for pragma in ("journal_mode=DELETE", "synchronous=OFF", "cache_size=-524288"):
            con.execute(f"PRAGMA {pragma}")
        for table in table_rows(reg):
            encoder = Encoder.of(table.table, dialect)
            started = time.perf_counter()
            marks = ", ".join("?" * len(encoder.columns))
            sql = f"INSERT INTO {table.table.name} ({', '.join(encoder.columns)}) VALUES ({marks})"
            n = 0
            rows = map(encoder.values, table.rows())
            while True:
                batch = [row for _, row in zip(range(200_000), rows, strict=False)]
                if not batch:
                    break
                con.execute("BEGIN")
                con.executemany(sql, batch)
                con.execute("COMMIT")
                n += len(batch)
            counts[table.table.name] = n
            _progress(table.table.name, n, started)
        con.execute("PRAGMA journal_mode=WAL")  # as the server leaves it
        started = time.perf_counter()
        con.execute("ANALYZE")  # as `rasoat serve` does at every start (storage/sqlite.py)
        _progress("ANALYZE", 0, started)
    finally:
        con.close()
    return counts


def _progress(what: str, n: int, started: float) -> None:
    rows = f" {n:>9,} rows" if n else ""
    print(f"    {what:<18}{rows} in {time.perf_counter() - started:6.1f} s", flush=True)


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def database(kind: str, folder: Path, keep: bool) -> Iterator[str]:
    """A fresh database URL; dropped (or deleted) afterwards unless `keep`."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'rasoat.db'}"
        return
    import psycopg

    name = f"rasoat_bench_tables_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL_TEMPLATE.format(name=name)
    finally:
        if keep:
            print(f'[postgresql] kept database {name}: DROP DATABASE "{name}"', flush=True)
        else:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, folder: Path) -> Any:
    from server import create_app

    (folder / "forms").mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RASOAT_DATA_DIR": str(folder / "data"),
            "RASOAT_FORMS_DIR": str(folder / "forms"),
            "SECRET_KEY": "bench-tables",
        }
    )


def database_bytes(kind: str, url: str) -> int:
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import psycopg

    with psycopg.connect(_plain_pg_url(url)) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


# --------------------------------------------------------------------------- measuring


@dataclass
class Result:
    db: str
    measure: str
    area: str
    out_rows: int
    times: list[float]
    peak_mb: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    warm_up: bool = True  # the first run only warms caches (not so for fresh processes)

    @property
    def first(self) -> float:
        return self.times[0]

    @property
    def steady(self) -> list[float]:
        """The runs that count: after the warm-up run, if any."""
        return (self.times[1:] if self.warm_up else self.times) or self.times


COLUMNS = (
    "db",
    "measure",
    "area",
    "rows",
    "runs",
    "first_s",
    "min_s",
    "median_s",
    "max_s",
    "peak_MB",
    "target",
    "met",
)


def cells(r: Result) -> tuple[str, ...]:
    return (
        r.db,
        r.measure,
        r.area,
        f"{r.out_rows:,}",
        str(len(r.steady)),
        f"{r.first:.3f}",
        f"{min(r.steady):.3f}",
        f"{statistics.median(r.steady):.3f}",
        f"{max(r.steady):.3f}",
        f"{r.peak_mb:.0f}" if r.peak_mb is not None else "-",
        r.target or "-",
        {True: "yes", False: "NO", None: "-"}[r.met],
    )


WIDTHS = (10, 22, 16, 9, 4, 8, 8, 8, 8, 7, 16, 4)


def print_row(values: tuple[str, ...]) -> None:
    print(" ".join(v.rjust(w) for v, w in zip(values, WIDTHS, strict=True)), flush=True)


def markdown(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


class StatementLog:
    """Records the SQL an engine runs (statement, parameters, seconds) while active."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any, float]] = []
        self._started = 0.0

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters, time.perf_counter() - self._started))

    def __enter__(self) -> StatementLog:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def time_summary(
    app: Any, area_code: str, repeat: int, budget_s: float
) -> tuple[list[float], int, StatementLog]:
    """One warm-up run, then up to `repeat` timed runs while they fit in `budget_s` (always
    at least one). Returns every time (warm-up first), the table's row count and the SQL of
    the last run."""
    from server.extensions import db
    from server.services.reports import review_summary

    times: list[float] = []
    rows = 0
    log = StatementLog(None)
    with app.app_context():
        while len(times) < repeat + 1:
            db.session.remove()
            with StatementLog(db.engine) as log:
                started = time.perf_counter()
                table = review_summary(db.session, None, area_code, PERIOD)
                rows = len(list(table.rows))
                times.append(time.perf_counter() - started)
            if len(times) >= 2 and sum(times) + times[-1] > budget_s:
                break
        db.session.remove()
    return times, rows, log


def explain(app: Any, kind: str, log: StatementLog, title: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, of the slowest
    statement recorded."""
    from server.extensions import db

    if not log.statements:
        return
    statement, parameters, seconds = max(log.statements, key=lambda s: s[2])
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
    with app.app_context(), db.engine.connect() as conn:
        result = conn.exec_driver_sql(prefix + statement, parameters)
        plan = "\n".join(" | ".join(str(c) for c in row) for row in result)
    print(f"\n--- {kind}: {title}: slowest statement ({seconds:.3f} s) ---\n{statement}")
    print(f"parameters: {parameters}\n--- plan ---\n{plan}\n---", flush=True)


def run_export(url: str, area_code: str, mode: str, out: Path, profile: bool) -> dict[str, Any]:
    """One export in a fresh child process (its memory is its own)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "_export",
        url,
        area_code,
        mode,
        str(out),
    ]
    if profile:
        cmd.append("--profile")
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"export child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    if profile:
        print(proc.stderr, flush=True)
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def xlsx_sheet_rows(path: Path) -> int:
    """Rows in the first worksheet, counted in its XML without loading the workbook."""
    with zipfile.ZipFile(path) as book:
        sheet = next(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        count, tail = 0, b""
        with book.open(sheet) as xml:
            while chunk := xml.read(1 << 20):
                data = tail + chunk
                count += data.count(b"</row>")
                tail = data[-5:]
                count -= tail.count(b"</row>")  # never: a 6-byte tag cannot fit in 5 bytes
    return count


# --------------------------------------------------------------------------- the export child


def _status_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def export_child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tables.py _export")
    parser.add_argument("url")
    parser.add_argument("area")
    parser.add_argument("mode", choices=("xlsx", "rows"))
    parser.add_argument("out")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    from sqlalchemy import text

    from server.extensions import db
    from server.formats.table_files import write_xlsx
    from server.services.action_lists import deficiency_list

    folder = Path(tempfile.mkdtemp(prefix="rasoat-bench-export-"))
    try:
        app = make_app(args.url, folder)
        with app.app_context():
            db.session.execute(text("SELECT 1"))  # connect before the clock starts
            db.session.rollback()
            rss_before = _status_kb("VmRSS")
            hwm_before = _status_kb("VmHWM")
            try:  # reset the peak to the current RSS (Linux ≥ 4.0)
                Path("/proc/self/clear_refs").write_text("5")
                reset = True
            except OSError:
                reset = False
            rows = 0
            first_row = None
            started = time.perf_counter()

            def counted(source: Iterable[Any]) -> Iterator[Any]:
                nonlocal rows, first_row
                for row in source:
                    if first_row is None:
                        first_row = time.perf_counter() - started
                    rows += 1
                    yield row

            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            table = deficiency_list(db.session, None, args.area, PERIOD)
            table = dataclasses.replace(table, rows=counted(table.rows))
            if args.mode == "xlsx":
                with open(args.out, "wb") as out:
                    write_xlsx([table], out)
            else:
                for _ in table.rows:
                    pass
            seconds = time.perf_counter() - started
            if profiler:
                profiler.disable()
                buffer = io.StringIO()
                stats = pstats.Stats(profiler, stream=buffer)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(25)
                print(buffer.getvalue(), file=sys.stderr)
        report = {
            "seconds": seconds,
            "first_row_s": first_row,
            "rows": rows,
            "rss_before_kb": rss_before,
            "hwm_before_kb": hwm_before,
            "hwm_kb": _status_kb("VmHWM"),
            "hwm_reset": reset,
            "bytes": os.path.getsize(args.out) if args.mode == "xlsx" else 0,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report))
    return 0


# --------------------------------------------------------------------------- main


@dataclass
class Build:
    db: str
    reviews: int
    households: int
    deficiencies: int
    areas: int
    submissions: int
    seconds: float
    size_mb: float


def bench_database(
    kind: str, reg: Registry, args: argparse.Namespace, builds: list[Build]
) -> list[Result]:
    results: list[Result] = []
    folder = Path(tempfile.mkdtemp(prefix=f"rasoat-bench-tables-{kind}-"))
    try:
        with database(kind, folder, args.keep) as url:
            from flask_migrate import upgrade

            from server.extensions import db

            print(f"\n[{kind}] database {url}", flush=True)
            started = time.perf_counter()
            app = make_app(url, folder)
            with app.app_context():
                upgrade()
                db.engine.dispose()
            print(f"    {'schema':<18} in {time.perf_counter() - started:6.1f} s", flush=True)
            if kind == "postgresql":
                counts = load_postgresql(url, reg)
            else:
                counts = load_sqlite(Path(url.removeprefix("sqlite:///")), reg)
            build_s = time.perf_counter() - started
            build = Build(
                kind,
                counts["household_review"],
                counts["household"],
                counts["review_deficiency"],
                counts["area"],
                counts["submission"],
                build_s,
                database_bytes(kind, url) / MB,
            )
            builds.append(build)
            print(f"[{kind}] built in {build_s:.0f} s, {build.size_mb:.0f} MB", flush=True)

            labels = (
                [] if args.build_only else ["", *(f"+try{i + 1}" for i in range(len(args.try_sql)))]
            )
            for label in labels:
                if label:
                    apply_try(kind, url, args.try_sql[int(label[4:]) - 1])
                    with app.app_context():
                        db.engine.dispose()  # new connections see new indexes and statistics
                results += measure(kind, url, app, reg, args, folder, label)
            with app.app_context():
                db.engine.dispose()
    finally:
        if args.keep and kind == "sqlite":
            print(f"[sqlite] kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def apply_try(kind: str, url: str, sql: str) -> None:
    print(f"[{kind}] trying: {sql}", flush=True)
    started = time.perf_counter()
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(_plain_pg_url(url), autocommit=True) as conn:
            # One by one: VACUUM or CREATE INDEX CONCURRENTLY refuse a multi-statement string.
            for statement in filter(None, (part.strip() for part in sql.split(";"))):
                conn.execute(statement)
            conn.execute("ANALYZE")
    else:
        con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            con.executescript(sql)
        finally:
            con.close()
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def measure(
    kind: str,
    url: str,
    app: Any,
    reg: Registry,
    args: argparse.Namespace,
    folder: Path,
    label: str,
) -> list[Result]:
    results: list[Result] = []
    db_label = f"{kind}{label}"
    print_row(COLUMNS)
    summaries = (
        ("summary district", reg.district_code, True),
        ("summary large district", reg.large_district_code, False),
        ("summary province", reg.province_code, False),
    )
    for measure_name, code, targeted in summaries:
        times, rows, log = time_summary(app, code, args.repeat, args.budget)
        steady = times[1:] or times
        met = statistics.median(steady) < SUMMARY_TARGET_S if targeted else None
        result = Result(
            db_label, measure_name, code, rows, times, None, "< 1 s" if targeted else "", met
        )
        results.append(result)
        print_row(cells(result))
        if args.explain or (targeted and not met):
            explain(app, kind, log, f"{measure_name} {code}")

    # SQL tried with --try can only change the query, which "rows only" measures; the XLSX
    # writing is Python (openpyxl) and is measured once, in the first round.
    for mode in ("rows",) if label else ("rows", "xlsx"):
        runs = args.export_repeat if mode == "xlsx" else 3
        out = folder / f"list-{kind}.xlsx"
        reports = [
            run_export(url, reg.large_district_code, mode, out, args.profile_export)
            for _ in range(runs)
        ]
        peak = max(r["hwm_kb"] for r in reports) / 1024
        times = [r["seconds"] for r in reports]
        first_row = min(r["first_row_s"] or 0.0 for r in reports)
        if mode == "xlsx":
            met = statistics.median(times) < EXPORT_TARGET_S and peak < EXPORT_TARGET_MB
            sheet_rows = xlsx_sheet_rows(out)
            note = (
                f"file {reports[-1]['bytes'] / MB:.1f} MB, {sheet_rows:,} sheet rows"
                f" ({sheet_rows - reports[-1]['rows']} heading rows), first row after"
                f" {first_row:.2f} s, RSS before the export"
                f" {reports[-1]['rss_before_kb'] / 1024:.0f} MB"
            )
            name, target = "action list XLSX", "< 30 s, < 300 MB"
        else:
            met, name, target = None, "action list rows only", ""
            note = f"no XLSX: query + rows only; first row after {first_row:.2f} s"
        result = Result(
            db_label,
            name,
            reg.large_district_code,
            reports[-1]["rows"],
            times,
            peak,
            target,
            met,
            note,
            warm_up=False,
        )
        results.append(result)
        print_row(cells(result))
        print(f"    {note}", flush=True)
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        action="append",
        help="database to build and measure (repeatable; default: both)",
    )
    parser.add_argument(
        "--reviews", type=int, default=1_000_000, help="household reviews (default 1,000,000)"
    )
    parser.add_argument(
        "--export-rows",
        type=int,
        help="rows the large district's deficiency list should have (default: reviews / 10)",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per summary after one warm-up (5)"
    )
    parser.add_argument(
        "--export-repeat", type=int, default=5, help="XLSX exports, each in a fresh process (5)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=90.0,
        help="seconds per summary measurement: stop repeating once over it (default 90)",
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of every summary query"
    )
    parser.add_argument(
        "--profile-export", action="store_true", help="cProfile the export children"
    )
    parser.add_argument(
        "--try",
        dest="try_sql",
        action="append",
        default=[],
        metavar="SQL",
        help="after the measurements, run this SQL (e.g. CREATE INDEX …; statements separated"
        " by ;) and measure the summaries and the list query again (repeatable; cumulative)",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build, measure nothing (with --keep)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (prints where they are)"
    )
    args = parser.parse_args(argv)
    if args.reviews < 2000:
        parser.error("--reviews must be at least 2000")
    if args.export_rows is None:
        args.export_rows = args.reviews // 10
    if args.repeat < 1 or args.export_repeat < 1:
        parser.error("--repeat and --export-repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_export"]:
        return export_child(argv[1:])
    args = parse_args(argv)
    started = time.perf_counter()
    print(f"generating {args.reviews:,} reviews (seed {args.seed}) …", flush=True)
    reg = generate(args.reviews, args.export_rows, args.seed)
    gen_s = time.perf_counter() - started
    print(
        f"generated in {gen_s:.1f} s: {len(reg.areas):,} areas, {len(reg.village_ids):,}"
        f" villages, {reg.households:,} households; district {reg.district_code}, large"
        f" district {reg.large_district_code} (list of {reg.large_list_rows:,} rows)\n"
        f"{reg.describe()}",
        flush=True,
    )
    builds: list[Build] = []
    results: list[Result] = []
    for kind in args.database or ["sqlite", "postgresql"]:
        results += bench_database(kind, reg, args, builds)

    total = time.perf_counter() - started
    print(f"\ncpus={os.cpu_count()} generation {gen_s:.1f} s, total {total:.0f} s\n")
    build_header = (
        "db",
        "reviews",
        "submissions",
        "households",
        "deficiency rows",
        "areas",
        "build_s",
        "size_MB",
    )
    print(
        markdown(
            build_header,
            (
                (
                    b.db,
                    f"{b.reviews:,}",
                    f"{b.submissions:,}",
                    f"{b.households:,}",
                    f"{b.deficiencies:,}",
                    f"{b.areas:,}",
                    f"{b.seconds:.0f}",
                    f"{b.size_mb:.0f}",
                )
                for b in builds
            ),
        )
    )
    print()
    print(markdown(COLUMNS, (cells(r) for r in results)))
    notes = [f"- {r.db} {r.measure}: {r.note}" for r in results if r.note]
    if notes:
        print("\n" + "\n".join(notes))
    return 1 if any(r.met is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
