"""Queries over the area tree (materialised paths: "/1/4/17/")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from server.domain import roles
from server.storage.common import insert_ignoring_duplicates
from server.storage.models import Area, AreaHouseholds, AreaPlacement, AreaSuccessor

VILLAGE_LEVELS = roles.VILLAGE_LEVELS


def find_area_by_code(session: Session, code: str) -> Area | None:
    return session.scalars(select(Area).where(Area.code == code)).first()


def add_area(
    session: Session,
    *,
    code: str,
    name: str,
    level: str,
    parent: Area | None,
    urban: bool = False,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Area:
    area = Area(
        code=code,
        name=name,
        level=level,
        parent_id=parent.id if parent else None,
        urban=urban,
        valid_from=valid_from,
        valid_to=valid_to,
        path="",
    )
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    return area


def count_areas(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Area)) or 0


def is_within(area: Area, scope: Area | None) -> bool:
    """True when `area` lies in `scope` (or there is no scope at all)."""
    return scope is None or area.path.startswith(scope.path)


def set_households(session: Session, area_id: int, year: int, households: int) -> None:
    row = session.get(AreaHouseholds, (area_id, year))
    if row is None:
        session.add(AreaHouseholds(area_id=area_id, year=year, households=households))
    else:
        row.households = households


def households_in(session: Session, area_id: int, year: int) -> int | None:
    """Resident households of an area in a review year; None when not known."""
    row = session.get(AreaHouseholds, (area_id, year))
    return row.households if row is not None else None


def link_successor(session: Session, area_id: int, successor_id: int) -> None:
    insert_ignoring_duplicates(
        session, AreaSuccessor, {"area_id": area_id, "successor_id": successor_id}
    )


def successor_names(session: Session, area_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The names of the units that replaced each of these (merged) areas, by name."""
    if not area_ids:
        return {}
    successor = aliased(Area)
    query = (
        select(AreaSuccessor.area_id, successor.name)
        .join(successor, successor.id == AreaSuccessor.successor_id)
        .where(AreaSuccessor.area_id.in_(area_ids))
        .order_by(successor.name)
    )
    names: dict[int, tuple[str, ...]] = {}
    for area_id, name in session.execute(query):
        names[area_id] = (*names.get(area_id, ()), name)
    return names


def villages_within(session: Session, scope: Area | None) -> Sequence[tuple[Area, Area]]:
    """(village or quarter, the unit above it) pairs within `scope` (all when None)."""
    parent = aliased(Area)
    query = (
        select(Area, parent)
        .join(parent, parent.id == Area.parent_id)
        .where(Area.level.in_(VILLAGE_LEVELS))
        .order_by(parent.name, Area.name)
    )
    if scope is not None:
        query = query.where(Area.path.startswith(scope.path))
    return [(village, above) for village, above in session.execute(query)]


def find_area(session: Session, area_id: int) -> Area | None:
    return session.get(Area, area_id)


def move_area(
    session: Session, area: Area, new_parent: Area, *, placed_until: date | None = None
) -> None:
    """Re-hang an area (and everything below it) under another parent, keeping ids.
    `placed_until`: a reform, not a correction: the old paths stay valid until that day for
    the tables of earlier list years (`path_in`)."""
    old_prefix, new_prefix = area.path, f"{new_parent.path}{area.id}/"
    for node in session.scalars(select(Area).where(Area.path.startswith(old_prefix))):
        if placed_until is not None:
            session.add(AreaPlacement(area_id=node.id, valid_to=placed_until, path=node.path))
        node.path = new_prefix + node.path[len(old_prefix) :]
    area.parent_id = new_parent.id
    session.flush()


def placed_in(session: Session, area: Area, period: int) -> list[Area]:
    """The units from the root down to `area` in the tree of list year `period` (`path_in`,
    read for one area)."""
    path = session.scalar(select(path_in(Area, period)).where(Area.id == area.id)) or area.path
    ids = [int(part) for part in path.strip("/").split("/")]
    found = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def path_in(area: Any, period: int) -> ColumnElement[str]:
    """The path of `area` (a mapped Area or an alias of it) in the tree of list year `period`:
    where it hung on 1 January of that year (docs/architecture.md, the area tree across a
    reform)."""
    earlier = (
        select(AreaPlacement.path)
        .where(AreaPlacement.area_id == area.id, AreaPlacement.valid_to >= date(period, 1, 1))
        .order_by(AreaPlacement.valid_to)
        .limit(1)
        .correlate(area)
        .scalar_subquery()
    )
    return func.coalesce(earlier, area.path)


def top_areas(session: Session) -> Sequence[Area]:
    """The roots of the tree (usually one province)."""
    return list(session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.name)))


def children_of(session: Session, area: Area) -> Sequence[Area]:
    query = select(Area).where(Area.parent_id == area.id).order_by(Area.name)
    return list(session.scalars(query))


# Resident households are kept per village; an area above counts the sum of its villages, as
# every table's denominator does (storage/reports._residents): the areas page and the tables
# read one source.


def _villages_of(area: Any) -> tuple[Any, ColumnElement[bool]]:
    """An alias of Area for the villages under `area` (an alias), and the condition."""
    village = aliased(Area)
    return village, and_(village.path.startswith(area.path), village.level.in_(VILLAGE_LEVELS))


def household_years(session: Session, area_id: int) -> Sequence[tuple[int, int]]:
    """(year, resident households of its villages) of one area, newest year first."""
    area = aliased(Area)
    village, under = _villages_of(area)
    query = (
        select(AreaHouseholds.year, func.sum(AreaHouseholds.households))
        .select_from(area)
        .join(village, under)
        .join(AreaHouseholds, AreaHouseholds.area_id == village.id)
        .where(area.id == area_id)
        .group_by(AreaHouseholds.year)
        .order_by(AreaHouseholds.year.desc())
    )
    return [(int(year), int(total)) for year, total in session.execute(query)]


def households_by_area(session: Session, area_ids: Sequence[int], year: int) -> dict[int, int]:
    """Resident households of `year` per area: the sum over its villages."""
    area = aliased(Area)
    village, under = _villages_of(area)
    query = (
        select(area.id, func.sum(AreaHouseholds.households))
        .select_from(area)
        .join(village, under)
        .join(AreaHouseholds, AreaHouseholds.area_id == village.id)
        .where(area.id.in_(area_ids), AreaHouseholds.year == year)
        .group_by(area.id)
    )
    return {int(a): int(total) for a, total in session.execute(query)}


def ancestors_of(session: Session, area: Area) -> Sequence[Area]:
    """The areas above `area`, the root first (read from its materialised path)."""
    ids = [int(part) for part in area.path.strip("/").split("/")[:-1] if part]
    found = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def latest_household_year(session: Session, area_ids: Sequence[int]) -> int | None:
    area = aliased(Area)
    village, under = _villages_of(area)
    query = (
        select(func.max(AreaHouseholds.year))
        .select_from(area)
        .join(village, under)
        .join(AreaHouseholds, AreaHouseholds.area_id == village.id)
        .where(area.id.in_(area_ids))
    )
    return session.scalar(query)


def areas_within(session: Session, scope: Area | None, *, villages: bool) -> Sequence[Area]:
    """The areas within `scope` (itself included; all when None), by name: the villages and
    quarters only when `villages`, else every other level (the pickers of the table pages)."""
    level = Area.level.in_(VILLAGE_LEVELS)
    query = select(Area).where(level if villages else ~level).order_by(Area.name)
    if scope is not None:
        query = query.where(Area.path.startswith(scope.path))
    return list(session.scalars(query))
