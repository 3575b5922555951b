"""The area tree as people see and edit it on the pages: browse within one's scope, resident
households per year (the denominator of every rate), the area CSV import. Changes are audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.services.accounts import StaffMember, require_whole_province
from server.services.areas import AreaImport, import_areas_csv, visible_area
from server.storage import accounts as audit
from server.storage import areas as queries
from server.storage.models import Area

MAX_HOUSEHOLDS = 10_000_000


@dataclass(frozen=True)
class AreaPage:
    area: Area | None  # None: the top of the tree, for a person without an area
    trail: list[Area]  # the areas above, within the person's scope, top first
    children: list[tuple[Area, int | None]]  # with their resident households in `year`
    years: list[tuple[int, int]]  # (year, resident households) of `area`, newest first
    year: int | None


def _visible(session: Session, scope: Area | None, code: str | None) -> Area | None:
    return visible_area(session, scope, code) if code else scope


def area_page(session: Session, scope: Area | None, code: str | None) -> AreaPage:
    area = _visible(session, scope, code)
    children = queries.children_of(session, area) if area else queries.top_areas(session)
    years = list(queries.household_years(session, area.id)) if area else []
    trail = [
        a
        for a in (queries.ancestors_of(session, area) if area else [])
        if queries.is_within(a, scope)
    ]
    ids = [c.id for c in children]
    year = years[0][0] if years else queries.latest_household_year(session, ids)
    counts = queries.households_by_area(session, ids, year) if year else {}
    return AreaPage(area, trail, [(c, counts.get(c.id)) for c in children], years, year)


def set_resident_households(
    session: Session, member: StaffMember, code: str, year: int, households: int
) -> Area:
    """Resident households of an area in a review year, within the person's scope."""
    area = visible_area(session, member.scope, code)
    if not 0 <= households <= MAX_HOUSEHOLDS:
        raise InvalidInput(field="households")
    if area.level not in queries.VILLAGE_LEVELS:
        # The tables count the villages' households; a commune's own figure would be a second
        # source that disagrees with them.
        raise InvalidInput(
            field="households",
            detail=f"{area.name}: resident households are kept per village; the area's count"
            " is the sum of its villages'",
        )
    before = queries.households_in(session, area.id, year)
    queries.set_households(session, area.id, year, households)
    audit.record(
        session,
        member.id,
        "area.households",
        f"area {code} year {year}",
        f"{before} → {households}",
    )
    return area


def import_areas(session: Session, member: StaffMember, text: str, filename: str) -> AreaImport:
    """The area CSV (`rasoat areas import`); a bad line refuses the whole file, and the caller
    rolls back."""
    require_whole_province(member)
    report = import_areas_csv(session, text)
    details = f"{report.created} new, {report.unchanged} already known"
    audit.record(session, member.id, "area.import", filename[:200], details)
    return report
