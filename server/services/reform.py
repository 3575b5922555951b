"""A reform of the area tree from the official list of new units (old codes → new codes).

Columns: old_code, new_code, new_name, new_level, parent_code, and optionally urban; one line per
old unit, several lines per new unit (the lines of one new unit agree on its name, level,
parent and urban flag). For any province: the parent is any unit already in the tree (the new
province, imported before with the ordinary area CSV).

For each new unit the import creates it (valid from the day after `ended_on`), ends each old
unit on `ended_on`, records the new unit as its successor and re-hangs its villages under the
new unit, keeping their old place for the tables of earlier list years
(docs/architecture.md, the area tree across a reform). An upper unit (a district, the old
province) all of whose units have ended ends with them. Any bad line refuses the whole file,
naming its line and column; the caller rolls back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from server.domain.roles import COMMUNE_LEVELS, VILLAGE_LEVELS
from server.errors import InvalidInput
from server.storage import areas as queries
from server.storage.models import Area

COLUMNS = ("old_code", "new_code", "new_name", "new_level", "parent_code")
REFORM_ENDED_ON = date(2025, 6, 30)  # the last day of the district tier (two-tier reform)
_YES = {"1", "yes", "true", "x", "có"}


@dataclass(frozen=True)
class ReformImport:
    created: int
    ended: int
    moved_villages: int


@dataclass(frozen=True)
class _NewUnit:
    line: int
    code: str
    name: str
    level: str
    parent: Area
    urban: bool


def is_reform_list(text: str) -> bool:
    """Whether an area CSV is a list of new units (its header names old and new codes)."""
    header = next((ln for ln in text.splitlines() if not ln.lstrip().startswith("#")), "")
    names = {name.strip() for name in next(csv.reader([header]), [])}
    return {"old_code", "new_code"} <= names


def _error(line: int, column: str, problem: str) -> InvalidInput:
    return InvalidInput(field=f"line {line}, column {column}", detail=problem)


def import_reform_csv(
    session: Session, text: str, *, ended_on: date = REFORM_ENDED_ON
) -> ReformImport:
    """Apply the list; every line is checked before anything is written, so a refused file
    leaves the tree as it was even without the caller's rollback."""
    units, old_units = _read(session, text, ended_on)
    moved = 0
    for code, unit in units.items():
        new = queries.add_area(
            session,
            code=code,
            name=unit.name,
            level=unit.level,
            parent=unit.parent,
            urban=unit.urban,
            valid_from=ended_on + timedelta(days=1),
        )
        for old in old_units[code]:
            moved += _merge(session, old, new, ended_on)
    ended = sum(len(olds) for olds in old_units.values())
    ended += _end_emptied_ancestors(session, [o for olds in old_units.values() for o in olds])
    return ReformImport(len(units), ended, moved)


def _read(
    session: Session, text: str, ended_on: date
) -> tuple[dict[str, _NewUnit], dict[str, list[Area]]]:
    kept = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in kept)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(field="header", detail=f"missing columns: {', '.join(missing)}")
    units: dict[str, _NewUnit] = {}
    old_units: dict[str, list[Area]] = {}
    seen_old: dict[str, int] = {}
    for row in reader:
        line = kept[reader.line_num - 1][0]
        values = {key: (value or "").strip() for key, value in row.items() if key}
        old = _old_unit(session, line, values, ended_on, seen_old)
        unit = _new_unit(session, line, values)
        known = units.setdefault(unit.code, unit)
        for column, mine, theirs in (
            ("new_name", unit.name, known.name),
            ("new_level", unit.level, known.level),
            ("parent_code", unit.parent.code, known.parent.code),
            ("urban", unit.urban, known.urban),
        ):
            if mine != theirs:
                raise _error(line, column, f"{mine!r} differs from line {known.line} ({theirs!r})")
        old_units.setdefault(unit.code, []).append(old)
    if not units:
        raise InvalidInput(field="file", detail="no lines")
    return units, old_units


def _old_unit(
    session: Session, line: int, values: dict[str, str], ended_on: date, seen: dict[str, int]
) -> Area:
    code = values.get("old_code", "")
    if not code:
        raise _error(line, "old_code", "empty")
    if code in seen:
        raise _error(line, "old_code", f"{code!r} is already merged on line {seen[code]}")
    seen[code] = line
    old = queries.find_area_by_code(session, code)
    if old is None:
        raise _error(line, "old_code", f"no area {code!r} in the database")
    if old.level not in COMMUNE_LEVELS:
        raise _error(line, "old_code", f"{code} is a {old.level}, not a commune-level unit")
    if old.valid_to is not None and old.valid_to <= ended_on:
        raise _error(line, "old_code", f"{code} already ended on {old.valid_to.isoformat()}")
    return old


def _new_unit(session: Session, line: int, values: dict[str, str]) -> _NewUnit:
    code, name, level = (
        values.get("new_code", ""),
        values.get("new_name", ""),
        values.get("new_level", ""),
    )
    for column, value in (("new_code", code), ("new_name", name)):
        if not value:
            raise _error(line, column, "empty")
    if level not in COMMUNE_LEVELS:
        raise _error(line, "new_level", f"{level!r} is not one of {', '.join(COMMUNE_LEVELS)}")
    if (taken := queries.find_area_by_code(session, code)) is not None:
        # The official list re-uses some predecessors' codes; area codes are unique here
        # (docs/architecture.md, known limit), so such a line is refused, not half-applied.
        raise _error(line, "new_code", f"{code!r} is already the code of {taken.name}")
    parent_code = values.get("parent_code", "")
    parent = queries.find_area_by_code(session, parent_code) if parent_code else None
    if parent is None:
        raise _error(line, "parent_code", f"no area {parent_code!r} in the database")
    if parent.level in (*COMMUNE_LEVELS, *VILLAGE_LEVELS):
        raise _error(line, "parent_code", f"{parent_code} is a {parent.level}")
    urban = values.get("urban", "").lower() in _YES
    return _NewUnit(line, code, name, level, parent, urban)


def _merge(session: Session, old: Area, new: Area, ended_on: date) -> int:
    """End `old`, name `new` its successor and re-hang its villages; how many moved."""
    old.valid_to = ended_on
    queries.link_successor(session, old.id, new.id)
    villages = [a for a in queries.children_of(session, old) if a.level in VILLAGE_LEVELS]
    for village in villages:
        queries.move_area(session, village, new, placed_until=ended_on)
    return len(villages)


def _end_emptied_ancestors(session: Session, ended: list[Area]) -> int:
    """End every unit above the ended ones whose units have all ended (the districts)."""
    count, seen = 0, set()
    parents = [a.parent_id for a in ended]
    while parents:
        parent_id = parents.pop()
        if parent_id is None or parent_id in seen:
            continue
        seen.add(parent_id)
        parent = queries.find_area(session, parent_id)
        if parent is None or parent.valid_to is not None:
            continue
        children = queries.children_of(session, parent)
        if children and all(c.valid_to is not None for c in children):
            parent.valid_to = max(c.valid_to for c in children if c.valid_to is not None)
            count += 1
            parents.append(parent.parent_id)
    return count
