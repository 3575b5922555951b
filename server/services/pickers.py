"""What the table and list pages offer to choose from: the areas of the person's own subtree
(by name, as a tree), the villages of the chosen area, and every review year with data.

The pages remember the last area and year a person chose (their session cookie) so that
moving from the summary to a list keeps both; a remembered area that is no longer within the
person's area (they were moved) is forgotten rather than refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.storage import areas as area_queries
from server.storage import reports as report_queries
from server.storage.models import Area


@dataclass(frozen=True)
class AreaChoice:
    code: str
    name: str
    depth: int  # levels below the top of the list (the picker indents by it)


def _depth(area: Area) -> int:
    return area.path.strip("/").count("/")


def _as_tree(areas: Sequence[Area]) -> list[AreaChoice]:
    """Parents before their children, siblings by name (the query gives them by name)."""
    children: dict[int | None, list[Area]] = {}
    ids = {a.id for a in areas}
    for area in areas:
        parent = area.parent_id if area.parent_id in ids else None
        children.setdefault(parent, []).append(area)
    top = min((_depth(a) for a in areas), default=0)
    out: list[AreaChoice] = []

    def walk(parent: int | None) -> None:
        for area in children.get(parent, []):
            out.append(AreaChoice(area.code, area.name, _depth(area) - top))
            walk(area.id)

    walk(None)
    return out


def area_choices(session: Session, scope: Area | None) -> list[AreaChoice]:
    """The areas a person may open a table on, above the villages: their own area and below."""
    return _as_tree(area_queries.areas_within(session, scope, villages=False))


def village_choices(session: Session, scope: Area | None, area_code: str) -> list[AreaChoice]:
    """The villages (and quarters) of the chosen area that the person may see, by name."""
    area = area_queries.find_area_by_code(session, area_code)
    if area is None or not area_queries.is_within(area, scope):
        return []
    return [
        AreaChoice(v.code, v.name, 0)
        for v in area_queries.areas_within(session, area, villages=True)
    ]


def period_choices(session: Session, current: int) -> list[int]:
    """Every review year with reviews or pledges, newest first, and always `current`."""
    return sorted({current, *report_queries.periods_with_data(session)}, reverse=True)


def still_visible(session: Session, scope: Area | None, code: str | None) -> str | None:
    """`code` if it names an area within `scope`, else None (a remembered choice gone stale)."""
    if not code:
        return None
    area = area_queries.find_area_by_code(session, code)
    return code if area is not None and area_queries.is_within(area, scope) else None
