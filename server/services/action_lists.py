"""The lists that drive action, with specific addresses (reference §7, DESIGN.md §1):

- deficiencies: poor and near-poor households × each indicator they lack × the suggested
  support and who provides it (from the standard's data file), plus their income support;
- due for a visit: households that left poverty in the last 36 months and were not visited in
  the last 90 days;
- relapse risk: households whose latest visit found them at risk;
- left poverty this year: the list for the annual commendation.
All are scoped to an area the viewer may see and stream their rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from server.domain.followup_measures import followup_window
from server.domain.standards import Standard, standard_for_year
from server.domain.vocabulary import HouseholdClass, Trait
from server.errors import InvalidInput, NotFound
from server.formats.tables import CellKind, Column, Layout, Row, Table
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import lists as queries
from server.storage.areas import is_within
from server.storage.lists import ListedHousehold
from server.storage.models import Area

INCOME = "income"
CLASS_NAMES: dict[str, tuple[str, str]] = {
    HouseholdClass.POOR: ("Hộ nghèo", "Poor"),
    HouseholdClass.NEAR_POOR: ("Hộ cận nghèo", "Near-poor"),
    HouseholdClass.MIDDLE: ("Hộ có mức sống trung bình", "Middle living standard"),
    HouseholdClass.NOT_POOR: ("Không nghèo", "Not poor"),
}
_T = CellKind.TEXT
_ADDRESS = (
    Column("commune", "Xã", "Commune", _T),
    Column("village", "Thôn", "Village", _T),
    Column("code", "Mã hộ", "Household code", _T),
    Column("head", "Chủ hộ", "Head", _T),
    Column("class", "Phân loại", "Class", _T),
    Column("income", "Thu nhập bình quân (đồng/người/tháng)", "Income per person", CellKind.AMOUNT),
    Column("em", "DTTS", "Ethnic minority", _T),
    Column("merit", "Người có công", "Merit", _T),
    Column("sp", "Bảo trợ xã hội", "Social protection", _T),
)

# Each list's columns (also the reports feed's $metadata, services/report_feeds.py).
DEFICIENCY_COLUMNS = (
    *_ADDRESS,
    Column("indicator", "Thiếu hụt", "Deficient in", _T),
    Column("support", "Hỗ trợ đề xuất", "Suggested support", _T),
    Column("responsible", "Cơ quan phụ trách", "Responsible body", _T),
)
DUE_VISIT_COLUMNS = (
    *_ADDRESS,
    Column("exit_year", "Năm thoát nghèo", "Left poverty in", _T),
    Column("last_visit", "Lần thăm gần nhất", "Last visit", _T),
)
RELAPSE_COLUMNS = (
    *_ADDRESS,
    Column("reasons", "Lý do", "Reasons", _T),
    Column("last_visit", "Lần thăm gần nhất", "Last visit", _T),
)
EXITED_COLUMNS = _ADDRESS


def _mark(flag: bool) -> str:
    return "x" if flag else ""


def _address(row: ListedHousehold) -> dict[str, object]:
    vi, _ = CLASS_NAMES.get(row.household_class or "", ("", ""))
    return {
        "commune": row.commune,
        "village": row.village,
        "code": row.code,
        "head": row.head_name,
        "class": vi,
        "income": row.income_per_person,
        "em": _mark(row.ethnic_minority),
        "merit": _mark(row.merit),
        "sp": _mark(row.social_protection),
    }


def _table(
    key: str,
    vi: str,
    en: str,
    area: Area,
    period: int | None,
    columns: Sequence[Column],
    rows: Iterator[Row],
) -> Table:
    when_vi, when_en = ("", "")
    if period:
        vi_words, en_words = list_year_words(period)
        when_vi, when_en = f" — {vi_words}", f" — {en_words}"
    return Table(
        key,
        vi,
        en,
        f"{area.name}{when_vi}",
        f"{area.name}{when_en}",
        tuple(columns),
        rows,
        Layout.LIST,
    )


def deficiency_list(
    session: Session,
    scope: Area | None,
    area_code: str,
    period: int,
    *,
    indicators: Sequence[str] = (),
    groups: Sequence[str] = (),
    village: str | None = None,
) -> Table:
    area = visible_area(session, scope, area_code)
    rows_of = _village_of(session, scope, area, village)
    standard = standard_for_year(period)
    rows = queries.deficiency_rows(session, rows_of, period, indicators=indicators, groups=groups)
    return _table(
        "thieu_hut",
        "Danh sách hộ thiếu hụt và hỗ trợ đề xuất",
        "Households, deficiencies and suggested support",
        area,
        period,
        DEFICIENCY_COLUMNS,
        _with_support(rows, standard, with_income=not indicators),
    )


def _with_support(
    rows: Iterator[ListedHousehold], standard: Standard, with_income: bool
) -> Iterator[Row]:
    names = {i.code: i for i in standard.indicators}
    previous = None
    for row in rows:
        address = _address(row)
        if with_income and row.code != previous:
            support = standard.income_support
            yield Row(
                {
                    **address,
                    "indicator": "Thu nhập dưới chuẩn",
                    "support": support.action_vi,
                    "responsible": support.responsible_vi,
                }
            )
        previous = row.code
        indicator = names.get(row.indicator or "")
        if indicator is not None:
            yield Row(
                {
                    **address,
                    "indicator": indicator.name_vi,
                    "support": indicator.support.action_vi,
                    "responsible": indicator.support.responsible_vi,
                }
            )


def _village_of(session: Session, scope: Area | None, area: Area, village: str | None) -> Area:
    """The area whose households a list shows: the chosen area, or one village of it."""
    if not village:
        return area
    chosen = visible_area(session, scope, village)
    if not is_within(chosen, area):
        raise InvalidInput(field="village", detail=f"{village} is not in {area.name}")
    return chosen


def due_for_visit_list(
    session: Session,
    scope: Area | None,
    area_code: str,
    today: date | None = None,
    *,
    groups: Sequence[str] = (),
    village: str | None = None,
) -> Table:
    area = visible_area(session, scope, area_code)
    rows_of = _village_of(session, scope, area, village)
    today = today or date.today()
    window = followup_window(today)
    rows = queries.due_for_visit_rows(
        session, rows_of, window.since_period, window.visited_after, groups
    )
    return _table(
        "can_tham",
        "Hộ mới thoát nghèo cần đến thăm",
        "Newly exited households due for a visit",
        area,
        None,
        DUE_VISIT_COLUMNS,
        (
            Row(
                {
                    **_address(r),
                    "exit_year": str(r.exit_period),
                    "last_visit": r.last_visit.isoformat() if r.last_visit else "",
                }
            )
            for r in rows
        ),
    )


def relapse_risk_list(
    session: Session,
    scope: Area | None,
    area_code: str,
    *,
    groups: Sequence[str] = (),
    village: str | None = None,
) -> Table:
    area = visible_area(session, scope, area_code)
    rows_of = _village_of(session, scope, area, village)
    return _table(
        "nguy_co_tai_ngheo",
        "Hộ có nguy cơ tái nghèo",
        "Households at risk of relapse",
        area,
        None,
        RELAPSE_COLUMNS,
        (
            Row(
                {
                    **_address(r),
                    "reasons": r.relapse_reasons or "",
                    "last_visit": r.last_visit.isoformat() if r.last_visit else "",
                }
            )
            for r in queries.relapse_risk_rows(session, rows_of, groups)
        ),
    )


def exited_list(
    session: Session,
    scope: Area | None,
    area_code: str,
    period: int,
    *,
    groups: Sequence[str] = (),
    village: str | None = None,
) -> Table:
    area = visible_area(session, scope, area_code)
    rows_of = _village_of(session, scope, area, village)
    return _table(
        "thoat_ngheo",
        f"Hộ thoát nghèo năm {period}",
        f"Households that left poverty in {period}",
        area,
        period,
        EXITED_COLUMNS,
        (Row(_address(r)) for r in queries.exited_rows(session, rows_of, period, groups)),
    )


@dataclass(frozen=True)
class WantedList:
    """An action list as the pages and the API ask for it (`kind` as in their URLs)."""

    kind: str
    area_code: str
    period: int | None = None  # the review year; only the lists of one year need it
    indicators: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    village: str | None = None  # a village's code: only its households

    @property
    def year(self) -> int:
        if self.period is None:
            raise InvalidInput(field="period", detail="give ?period=<review year>")
        return self.period


# The kinds of list, as their addresses (/lists/<kind>) and the OData feeds name them.
DEFICIENCIES, DUE_VISITS, RELAPSE_RISK = "deficiencies", "due-visits", "relapse-risk"
EXITED = "exited"

_LISTS: dict[str, Callable[[Session, Area | None, WantedList], Table]] = {
    DEFICIENCIES: lambda session, scope, wanted: deficiency_list(
        session,
        scope,
        wanted.area_code,
        wanted.year,
        indicators=wanted.indicators,
        groups=wanted.groups,
        village=wanted.village,
    ),
    DUE_VISITS: lambda session, scope, wanted: due_for_visit_list(
        session, scope, wanted.area_code, groups=wanted.groups, village=wanted.village
    ),
    RELAPSE_RISK: lambda session, scope, wanted: relapse_risk_list(
        session, scope, wanted.area_code, groups=wanted.groups, village=wanted.village
    ),
    EXITED: lambda session, scope, wanted: exited_list(
        session,
        scope,
        wanted.area_code,
        wanted.year,
        groups=wanted.groups,
        village=wanted.village,
    ),
}
KINDS = tuple(_LISTS)
YEARLY = frozenset({DEFICIENCIES, EXITED})  # the kinds that need a review year


def action_list(session: Session, scope: Area | None, wanted: WantedList) -> Table:
    """The list of that kind for an area within `scope`; NotFound for a kind there is not."""
    build = _LISTS.get(wanted.kind)
    if build is None:
        raise NotFound(what=f"list {wanted.kind}")
    return build(session, scope, wanted)


# --- one row per household: the pages, and the "households" download ---------------------------

NEEDS = ("indicator", "support", "responsible")  # the columns grouped inside a household's row
SORTS = ("village", "code", "head", "income", "needs")


@dataclass(frozen=True)
class Need:
    indicator: str
    support: str
    responsible: str


@dataclass(frozen=True)
class ListedFamily:
    """One household of a list: its address cells, and what it lacks with the support for
    each (empty for the lists that name no deficiency)."""

    cells: Mapping[str, object]
    needs: tuple[Need, ...]


def by_household(rows: Iterable[Row]) -> Iterator[ListedFamily]:
    """The list's rows folded into one per household (the queries give a household's rows
    one after another)."""
    cells: Mapping[str, object] | None = None
    needs: list[Need] = []
    for row in rows:
        if cells is not None and row.cells.get("code") != cells.get("code"):
            yield ListedFamily(cells, tuple(needs))
            needs = []
        if cells is None or row.cells.get("code") != cells.get("code"):
            cells = {k: v for k, v in row.cells.items() if k not in NEEDS}
        if "indicator" in row.cells:
            needs.append(Need(*(str(row.cells.get(k) or "") for k in NEEDS)))
    if cells is not None:
        yield ListedFamily(cells, tuple(needs))


def _income(family: ListedFamily) -> Decimal:
    value = family.cells.get("income")
    return Decimal(value) if isinstance(value, (int, Decimal)) else Decimal("Infinity")


_SORT_KEYS: dict[str, Callable[[ListedFamily], Any]] = {
    "code": lambda f: str(f.cells.get("code") or ""),
    "head": lambda f: str(f.cells.get("head") or "").casefold(),
    "income": _income,  # lowest first: the poorest come first; unknown last
    "needs": lambda f: -len(f.needs),  # most deficiencies first
}


@dataclass(frozen=True)
class FamilyPage:
    families: list[ListedFamily]
    page: int
    pages: int
    total: int


def family_page(table: Table, page: int, per_page: int, sort: str | None) -> FamilyPage:
    """One page of a list's households, sorted as asked ("village": as the list gives them,
    by commune, village and code). The page after the last shows the last one."""
    families = list(by_household(table.rows))
    key = _SORT_KEYS.get(sort or "")
    if key is not None:
        families.sort(key=key)  # stable: the list's own order breaks ties
    pages = max(1, math.ceil(len(families) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return FamilyPage(families[start : start + per_page], page, pages, len(families))


def household_table(table: Table) -> Table:
    """The list as one row per household, its deficiencies, supports and responsible bodies
    in one cell ("lack: support (who)", one a line): the "households" download."""
    if not any(c.key in NEEDS for c in table.columns):
        return table
    columns = (
        *(c for c in table.columns if c.key not in NEEDS),
        Column(
            "needs",
            "Thiếu hụt: hỗ trợ đề xuất (cơ quan phụ trách)",
            "Deficient in: suggested support (responsible body)",
            _T,
        ),
    )
    rows = (
        Row(
            {
                **f.cells,
                "needs": "\n".join(
                    f"{n.indicator}: {n.support} ({n.responsible})" for n in f.needs
                ),
            }
        )
        for f in by_household(table.rows)
    )
    return Table(
        f"{table.key}_theo_ho",
        table.title_vi,
        table.title_en,
        table.subtitle_vi,
        table.subtitle_en,
        columns,
        rows,
        Layout.LIST,
    )


# --- what the list pages offer to filter by ----------------------------------------------------

GROUP_NAMES: dict[str, tuple[str, str]] = {
    Trait.ETHNIC_MINORITY: ("Dân tộc thiểu số", "Ethnic minority"),
    Trait.MERIT: ("Người có công", "People of merit"),
    Trait.SOCIAL_PROTECTION: ("Bảo trợ xã hội", "Social protection"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    vi: str
    en: str

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.vi


def indicator_choices(period: int) -> list[Choice]:
    """The indicators of the standard the year is classified with (the deficiency filter)."""
    return [Choice(i.code, i.name_vi, i.name_en) for i in standard_for_year(period).indicators]


def group_choices() -> list[Choice]:
    return [Choice(str(code), vi, en) for code, (vi, en) in GROUP_NAMES.items()]
