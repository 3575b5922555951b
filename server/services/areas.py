"""The area tree: importing it from CSV (one row per unit, parents before children).

Columns: code, name, level, parent_code, urban, and optionally valid_from, valid_to (ISO
dates), successor_codes (codes separated by ";": the units that replaced a merged or renamed
one) and any number of households_YYYY columns (resident households in review year YYYY).
The depth of the tree is data: any chain of levels works.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from server.domain.roles import LEVELS
from server.errors import Forbidden, InvalidInput, NotFound
from server.storage import areas as queries
from server.storage.models import Area

COLUMNS = ("code", "name", "level", "parent_code", "urban")
_HOUSEHOLDS = re.compile(r"^households_(\d{4})$")


@dataclass(frozen=True)
class AreaImport:
    created: int
    unchanged: int


def area_by_code(session: Session, code: str) -> Area:
    """The area with this code, else NotFound."""
    area = queries.find_area_by_code(session, code)
    if area is None:
        raise NotFound(what=f"area {code}")
    return area


def visible_area(session: Session, scope: Area | None, code: str) -> Area:
    """The area a person asked for, if it lies within what they may see (else Forbidden)."""
    area = area_by_code(session, code)
    if not queries.is_within(area, scope):
        raise Forbidden()
    return area


def _row_error(line: int, column: str, problem: str) -> InvalidInput:
    return InvalidInput(field=f"line {line}, column {column}", detail=problem)


def import_areas_csv(session: Session, text: str) -> AreaImport:
    """Add the areas of a CSV; existing codes keep their place but get the household counts.

    Lines starting with '#' are comments. Any bad row refuses the whole file, naming its line
    (the caller rolls the transaction back).
    """
    kept = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in kept)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(field="header", detail=f"missing columns: {', '.join(missing)}")
    created = unchanged = 0
    successors: list[tuple[int, Area, str]] = []
    for row in reader:
        number = kept[reader.line_num - 1][0]  # the line in the file, comments counted
        code = (row["code"] or "").strip()
        if not code:
            raise _row_error(number, "code", "empty")
        area = queries.find_area_by_code(session, code)
        if area is None:
            area = _add_row(session, number, code, row)
            created += 1
        else:
            unchanged += 1
        _set_households(session, number, area, row)
        successors.append((number, area, row.get("successor_codes") or ""))
    for number, area, codes in successors:
        _link_successors(session, number, area, codes)
    return AreaImport(created, unchanged)


def _date(line: int, column: str, value: str | None) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise _row_error(line, column, f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _add_row(session: Session, line: int, code: str, row: dict[str, str]) -> Area:
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
    return queries.add_area(
        session,
        code=code,
        name=name,
        level=level,
        parent=parent,
        urban=urban,
        valid_from=_date(line, "valid_from", row.get("valid_from")),
        valid_to=_date(line, "valid_to", row.get("valid_to")),
    )


def _set_households(session: Session, line: int, area: Area, row: dict[str, str]) -> None:
    for column, value in row.items():
        match = _HOUSEHOLDS.match(column or "")
        if not match or not (value or "").strip():
            continue
        if not value.strip().isdigit():
            raise _row_error(line, column, f"{value!r} is not a whole number of households")
        queries.set_households(session, area.id, int(match.group(1)), int(value))


def _link_successors(session: Session, line: int, area: Area, codes: str) -> None:
    for code in filter(None, (c.strip() for c in codes.split(";"))):
        successor = queries.find_area_by_code(session, code)
        if successor is None:
            raise _row_error(line, "successor_codes", f"no area {code!r} in the file or database")
        queries.link_successor(session, area.id, successor.id)


def move_area(session: Session, code: str, new_parent_code: str) -> Area:
    """A village moved to another commune (or a commune to another district): its past and
    future reviews then roll up under the new parent."""
    area = queries.find_area_by_code(session, code)
    parent = queries.find_area_by_code(session, new_parent_code)
    if area is None or parent is None:
        raise InvalidInput(
            field="code", detail=f"unknown area {code if area is None else new_parent_code}"
        )
    if parent.path.startswith(area.path):
        raise InvalidInput(field="parent_code", detail="an area cannot move under itself")
    queries.move_area(session, area, parent)
    return area
