"""Commitments (chỉ tiêu giảm nghèo): how many households each commune pledged to bring out of
poverty in a year, against how many did. Entered one by one or imported from CSV."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from server.domain.measures import POOR
from server.domain.pledges import pledge_of_area
from server.errors import InvalidInput
from server.formats.tables import TOTAL, CellKind, Column, Row, RowKind, Table, place_name, rate
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import reports as queries
from server.storage.areas import find_area_by_code, is_within
from server.storage.models import Area

COLUMNS = ("area_code", "year", "pledged")
# The commitments table's columns (also the reports feed's $metadata, services/report_feeds.py).
COMMITMENT_COLUMNS = (
    Column("label", "Đơn vị", "Unit", CellKind.TEXT),
    Column("pledged", "Số hộ cam kết thoát nghèo", "Households pledged to exit"),
    Column("exited", "Số hộ đã thoát nghèo", "Households that exited"),
    Column("achieved", "Tỷ lệ đạt", "Achieved", CellKind.PERCENT),
)


def set_commitment(
    session: Session, scope: Area | None, area_code: str, year: int, pledged: int
) -> None:
    area = visible_area(session, scope, area_code)
    if pledged < 0:
        raise InvalidInput(field="pledged", detail="a number of households, 0 or more")
    queries.set_commitment(session, area.id, year, pledged)


def _number(line: int, column: str, value: str | None) -> int:
    text = (value or "").strip()
    if not text.isdigit():
        raise InvalidInput(
            field=f"line {line}, column {column}", detail=f"{text!r} is not a whole number"
        )
    return int(text)


def import_commitments_csv(session: Session, scope: Area | None, text: str) -> int:
    """Import `area_code,year,pledged` rows; any bad row refuses the whole file, by line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(field="header", detail=f"missing columns: {', '.join(missing)}")
    count = 0
    for line, row in enumerate(reader, start=2):
        code = (row["area_code"] or "").strip()
        area = find_area_by_code(session, code)
        if area is None or not is_within(area, scope):
            raise InvalidInput(field=f"line {line}, column area_code", detail=f"no area {code!r}")
        year, pledged = _number(line, "year", row["year"]), _number(line, "pledged", row["pledged"])
        queries.set_commitment(session, area.id, year, pledged)
        count += 1
    return count


def commitments_table(session: Session, scope: Area | None, area_code: str, year: int) -> Table:
    area = visible_area(session, scope, area_code)
    when_vi, when_en = list_year_words(year)
    rows = queries.summary_rows(session, area, year, [], by_urban=False)
    poor_exited = POOR.exited.key
    pledged = queries.commitments_below(session, area, year)
    body = []
    for r in rows:
        promised = pledged.get(r.area_id)
        body.append(
            Row(
                {
                    "label": r.name,
                    "pledged": promised,
                    "exited": r.counts[poor_exited],
                    "achieved": rate(r.counts[poor_exited], promised),
                }
            )
        )
    # The same rule as for each row: the area's own pledge, else what the areas below pledged.
    total_pledged = pledge_of_area(queries.pledge_of(session, area.id, year), pledged.values())
    total_exited = sum(r.counts[poor_exited] for r in rows)
    body.append(
        Row(
            {
                "label": TOTAL,
                "pledged": total_pledged,
                "exited": total_exited,
                "achieved": rate(total_exited, total_pledged),
            },
            RowKind.TOTAL,
        )
    )
    return Table(
        key=f"chi_tieu_{year}",
        title_vi=f"Chỉ tiêu giảm nghèo năm {year} và kết quả",
        title_en=f"Poverty-reduction commitments for {year} and results",
        subtitle_vi=f"{area.name} — {when_vi}",
        subtitle_en=f"{area.name} — {when_en}",
        columns=COMMITMENT_COLUMNS,
        rows=body,
        place=place_name(area.name),
    )
