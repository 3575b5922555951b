"""The review summary table (biểu tổng hợp kết quả rà soát) for any area and period.

One row per area directly below the chosen one, in an urban block and a rural block with
subtotals, then the total; counts come from SQL (storage/reports.py), rates are counts over
resident households and stay unknown ("—") where that number is unknown or zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from server.domain.followup_measures import followup_window
from server.domain.measures import RATES, Count, Measure, Whole, summary_measures
from server.domain.standards import Standard, standard_for_year
from server.formats.tables import (
    TOTAL,
    CellKind,
    Column,
    Row,
    RowKind,
    Table,
    Words,
    place_name,
    rate,
)
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import reports as queries
from server.storage.areas import children_of, find_area_by_code, top_areas
from server.storage.models import Area
from server.storage.reports import latest_period

_BLOCKS = ((True, "Khu vực thành thị", "Urban"), (False, "Khu vực nông thôn", "Rural"))


def _column(measure: Measure) -> Column:
    kind = CellKind.COUNT if isinstance(measure, Count) else CellKind.PERCENT
    label, heading = measure.label, measure.heading
    return Column(measure.key, label.vi, label.en, kind, heading.vi, heading.en)


def summary_columns(standard: Standard) -> tuple[Column, ...]:
    return (
        Column("label", "Đơn vị", "Unit", CellKind.TEXT),
        Column("residents", "Tổng số hộ dân cư", "Resident households"),
        *(_column(m) for m in summary_measures(standard.indicators)),
    )


def _cells(
    label: str, residents: int | None, before: int | None, counts: dict[str, int]
) -> dict[str, object]:
    cells: dict[str, object] = {"label": label, "residents": residents, **counts}
    wholes = {Whole.RESIDENTS: residents, Whole.RESIDENTS_BEFORE: before}
    for measure in RATES:
        cells[measure.key] = rate(counts.get(measure.part.key), wholes[measure.whole])
    return cells


def _add(total: dict[str, int], row: queries.AreaRow) -> None:
    for key, value in row.counts.items():
        total[key] = total.get(key, 0) + value


def _sum(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _label(row: queries.AreaRow) -> str:
    """The area's name; an area merged before the period says into which (it is shown once,
    for the start-of-year counts that were its own)."""
    if not row.merged_into:
        return row.name
    into = ", ".join(row.merged_into)
    return Words(f"{row.name} (đã sáp nhập vào {into})", f"{row.name} (merged into {into})")


def _rows(rows: Sequence[queries.AreaRow]) -> list[Row]:
    out: list[Row] = []
    for urban, vi, en in _BLOCKS:
        block = [r for r in rows if r.urban == urban]
        if not block:
            continue
        out.append(Row({"label": Words(vi, en)}, RowKind.BLOCK))
        out += [Row(_cells(_label(r), r.residents, r.residents_before, r.counts)) for r in block]
        subtotal = Words(f"Cộng {vi.lower()}", f"{en}, subtotal")
        out.append(_total(subtotal, block, RowKind.SUBTOTAL))
    out.append(_total(TOTAL, rows, RowKind.TOTAL))
    return out


def _total(label: str, rows: Sequence[queries.AreaRow], kind: RowKind) -> Row:
    counts: dict[str, int] = {}
    for row in rows:
        _add(counts, row)
    residents = _sum([r.residents for r in rows])
    before = _sum([r.residents_before for r in rows])
    return Row(_cells(label, residents, before, counts), kind)


def review_summary(session: Session, scope: Area | None, area_code: str, period: int) -> Table:
    area = visible_area(session, scope, area_code)
    standard = standard_for_year(period)
    when_vi, when_en = list_year_words(period)
    rows = queries.summary_rows(session, area, period, [i.code for i in standard.indicators])
    return Table(
        key=f"tong_hop_{period}",
        title_vi=f"Tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo năm {period}",
        title_en=f"Summary of the {period} poor and near-poor household review",
        subtitle_vi=f"{area.name} — {when_vi}",
        subtitle_en=f"{area.name} — {when_en}",
        columns=summary_columns(standard),
        rows=_rows(rows),
        place=place_name(area.name),
    )


def _followup_cells(label: str, exited: int, visited: int, at_risk: int) -> dict[str, object]:
    return {
        "label": label,
        "exited": exited,
        "visited": visited,
        "not_visited": exited - visited,
        # A share of the recently exited households, the ones to visit; "—" when there are none.
        "visited_rate": rate(visited, exited),
        "at_risk": at_risk,
    }


# The follow-up table's columns (also the reports feed's $metadata, services/report_feeds.py).
FOLLOWUP_COLUMNS = (
    Column("label", "Đơn vị", "Unit", CellKind.TEXT),
    Column("exited", "Hộ mới thoát nghèo (36 tháng)", "Left poverty (36 months)"),
    Column("visited", "Đã thăm trong 90 ngày", "Visited in 90 days"),
    Column("not_visited", "Chưa thăm", "Not visited"),
    Column("visited_rate", "Tỷ lệ đã thăm", "Visited, rate", CellKind.PERCENT),
    Column("at_risk", "Có nguy cơ tái nghèo", "At risk of relapse"),
)


def followup_table(
    session: Session, scope: Area | None, area_code: str, today: date | None = None
) -> Table:
    """Households that left poverty in the last 36 months, visited in the last 90 days, at
    risk of relapse — per area below the chosen one."""
    area = visible_area(session, scope, area_code)
    today = today or date.today()
    window = followup_window(today)
    rows = queries.followup_rows(session, area, window.since_period, window.visited_after)
    body = [Row(_followup_cells(r.name, r.exited, r.visited, r.at_risk)) for r in rows]
    total = _followup_cells(
        TOTAL,
        sum(r.exited for r in rows),
        sum(r.visited for r in rows),
        sum(r.at_risk for r in rows),
    )
    return Table(
        key="theo_doi",
        title_vi="Theo dõi hộ mới thoát nghèo",
        title_en="Follow-up of households that recently left poverty",
        subtitle_vi=f"{area.name} — đến ngày {today:%d/%m/%Y}",
        subtitle_en=f"{area.name} — as of {today:%d/%m/%Y}",
        columns=FOLLOWUP_COLUMNS,
        rows=[*body, Row(total, RowKind.TOTAL)],
        place=place_name(area.name),
    )


def current_period(session: Session) -> int:
    """The review year pages open on: the latest one in the registry, else this year."""
    return latest_period(session) or date.today().year


def default_area_code(session: Session, scope: Area | None) -> str:
    """The area a table opens on: the person's own, else the top of the tree ("" if empty)."""
    if scope is not None:
        return scope.code
    roots = top_areas(session)
    return roots[0].code if roots else ""


def areas_below(session: Session, area_code: str) -> dict[str, str]:
    """Name → code of the areas directly below one (a table's rows link to them)."""
    area = find_area_by_code(session, area_code)
    return {c.name: c.code for c in children_of(session, area)} if area else {}
