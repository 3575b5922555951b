"""Queries over the area tree (materialised paths: "/1/4/17/")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import Area


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
) -> Area:
    area = Area(
        code=code,
        name=name,
        level=level,
        parent_id=parent.id if parent else None,
        urban=urban,
        valid_from=valid_from,
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
