"""The SQL of the household registry read as ODK Central's dataset `households`: the
households of an area (each with its village and commune), newest first, paged, filtered by a
`$filter` tree over the entity's system fields (domain/odata_filter's `Comparison`s)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, false, func, not_, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.odata_filter import Comparison, Condition, Logical, Negation
from server.storage.models import Area, Household


@dataclass(frozen=True)
class HouseholdEntity:
    id: int
    code: str
    head_name: str
    village_code: str
    village_name: str
    commune_code: str
    commune_name: str
    ethnic_minority: bool
    merit: bool
    social_protection: bool
    relapse_risk: bool
    relapse_reasons: str | None
    created_at: datetime
    updated_at: datetime | None  # None: never changed since it was first recorded


# Central's updatedAt is null until an entity changes; a household's row is stamped when made.
_UPDATED = case((Household.updated_at > Household.created_at, Household.updated_at), else_=None)
# The entity fields a filter names (services map Central's names onto these), as columns.
FILTER_COLUMNS: dict[str, Any] = {
    "id": Household.id,
    "created_at": Household.created_at,
    "updated_at": _UPDATED,
}
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda c, v: c.is_(None) if v is None else c == v,
    "ne": lambda c, v: c.is_not(None) if v is None else or_(c != v, c.is_(None)),
    "lt": lambda c, v: c < v,
    "le": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "ge": lambda c, v: c >= v,
}


def _where(condition: Condition) -> Any:
    if isinstance(condition, Negation):
        return not_(_where(condition.inner))
    if isinstance(condition, Logical):
        join = and_ if condition.op == "and" else or_
        return join(_where(condition.left), _where(condition.right))
    return _comparison(condition)


def _comparison(condition: Comparison) -> Any:
    value = condition.value
    if value is None and condition.op not in ("eq", "ne"):
        return false()  # an order against null holds for no row, as in SQL
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
    return _OPS[condition.op](FILTER_COLUMNS[condition.field], value)


def _query(scope: Area | None, condition: Condition | None) -> Any:
    village, commune = aliased(Area), aliased(Area)
    query = (
        select(
            Household.id,
            Household.code,
            Household.head_name,
            village.code,
            village.name,
            commune.code,
            commune.name,
            Household.ethnic_minority,
            Household.merit,
            Household.social_protection,
            Household.relapse_risk,
            Household.relapse_reasons,
            Household.created_at,
            _UPDATED,
        )
        .join(village, village.id == Household.village_id)
        .join(commune, commune.id == village.parent_id)
    )
    if scope is not None:
        query = query.where(village.path.startswith(scope.path))
    if condition is not None:
        query = query.where(_where(condition))
    return query


def household_entities(
    session: Session,
    scope: Area | None,
    condition: Condition | None = None,
    window: tuple[int, int | None] = (0, None),
) -> tuple[int, list[HouseholdEntity]]:
    """(how many households match, the page `window` = (skip, limit) of them, newest first)."""
    query = _query(scope, condition)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    skip, limit = window
    paged = query.order_by(Household.id.desc()).offset(skip)
    if limit is not None:
        paged = paged.limit(limit)
    return total, [HouseholdEntity(*row) for row in session.execute(paged)]


def household_entity(
    session: Session, scope: Area | None, household_id: int
) -> HouseholdEntity | None:
    """One household of the area, or None (outside it or not at all: the caller cannot tell)."""
    row = session.execute(_query(scope, None).where(Household.id == household_id)).first()
    return HouseholdEntity(*row) if row is not None else None


def first_recorded(session: Session) -> datetime | None:
    """When the first household was recorded: the dataset's createdAt."""
    return session.scalar(select(func.min(Household.created_at)))
