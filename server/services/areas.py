"""The area tree: importing it from CSV (one row per unit, parents before children)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.storage import areas as queries

LEVELS = (
    "province",
    "district",
    "commune",
    "ward",
    "township",
    "special_zone",
    "village",
    "quarter",
)
COLUMNS = ("code", "name", "level", "parent_code", "urban")


@dataclass(frozen=True)
class AreaImport:
    created: int
    unchanged: int


def _row_error(line: int, column: str, problem: str) -> InvalidInput:
    return InvalidInput(field=f"line {line}, column {column}", detail=problem)


def import_areas_csv(session: Session, text: str) -> AreaImport:
    """Add the areas of a CSV (code,name,level,parent_code,urban); existing codes are kept.

    Lines starting with '#' are comments. Any bad row refuses the whole file, naming its line.
    """
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(field="header", detail=f"missing columns: {', '.join(missing)}")
    created = unchanged = 0
    for number, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        if not code:
            raise _row_error(number, "code", "empty")
        if queries.find_area_by_code(session, code) is not None:
            unchanged += 1
            continue
        _add_row(session, number, code, row)
        created += 1
    return AreaImport(created, unchanged)


def _add_row(session: Session, line: int, code: str, row: dict[str, str]) -> None:
    level = (row["level"] or "").strip()
    if level not in LEVELS:
        raise _row_error(line, "level", f"{level!r} is not one of {', '.join(LEVELS)}")
    name = (row["name"] or "").strip()
    if not name:
        raise _row_error(line, "name", "empty")
    parent_code = (row["parent_code"] or "").strip()
    parent = queries.find_area_by_code(session, parent_code) if parent_code else None
    if parent_code and parent is None:
        raise _row_error(line, "parent_code", f"no area {parent_code!r} above this line")
    urban = (row["urban"] or "").strip().lower() in {"1", "yes", "true", "x", "có"}
    queries.add_area(session, code=code, name=name, level=level, parent=parent, urban=urban)
