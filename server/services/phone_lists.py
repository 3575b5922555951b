"""Choice lists the server builds for each phone from its area and the registry.

A form that names one of these files gets it generated for an area (the app user's) instead of
stored, so one form serves every commune and a phone sees only its own villages and households;
a draft tried on the forms pages gets them for the signed-in person's area. Their hash in the
manifest is the MD5 of the content for that phone: a phone downloads a list again only when its
own list changed.

The follow-up lists (`followup_households.csv`, `plan_items.csv`) are narrowed to a cadre's own
households when the phone is named after a cadre whom the support plan names responsible
(`Responsibility.cadre`, for a household or a village, in a year of the follow-up window): the
cadre then sees only those, not every household of the commune. Only, not first: a village
cadre on 2G with a few dozen households to watch should not scroll past the commune's other
hundreds, and the commune's phones (named otherwise) keep the whole list, so no household is
left without a phone that offers it. A phone named after nobody responsible sees the whole area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from server.domain.followup_measures import followup_window
from server.formats.choice_lists import csv_bytes
from server.storage import areas
from server.storage import plans as plan_queries
from server.storage import registry as registry_queries
from server.storage.models import Area


@dataclass(frozen=True)
class ListsFor:
    """Whom a list is built for: the phone's area (None: everywhere) and its name, which may be
    that of a cadre named responsible for some households."""

    area_id: int | None
    name: str = ""


def _scope(session: Session, area_id: int | None) -> Area | None:
    return areas.find_area(session, area_id) if area_id else None


def cadre_households(
    session: Session, name: str, since_period: int
) -> registry_queries.HouseholdsOf | None:
    """The households and villages the support plan names the cadre `name` responsible for,
    or None when it names them for none (the phone then sees its whole area)."""
    wanted = " ".join(name.split()).casefold()
    places = [
        place
        for place in plan_queries.named_cadres(session, since_period)
        if wanted and " ".join(place.cadre.split()).casefold() == wanted
    ]
    if not places:
        return None
    return registry_queries.HouseholdsOf(
        frozenset(p.household_id for p in places if p.household_id is not None),
        frozenset(p.village_id for p in places if p.village_id is not None),
    )


def villages_csv(session: Session, phone: ListsFor) -> bytes:
    rows = areas.villages_within(session, _scope(session, phone.area_id))
    return csv_bytes(
        ["name", "label", "commune", "urban"],
        [(v.code, v.name, above.code, "1" if v.urban else "0") for v, above in rows],
    )


def communes_csv(session: Session, phone: ListsFor) -> bytes:
    villages = areas.villages_within(session, _scope(session, phone.area_id))
    above = {p.code: p.name for _, p in villages}
    ordered = sorted(above.items(), key=lambda code_name: code_name[1])
    return csv_bytes(["name", "label"], ordered)


def followup_households_csv(session: Session, phone: ListsFor) -> bytes:
    since = followup_window(date.today()).since_period
    only = cadre_households(session, phone.name, since)
    rows = registry_queries.recently_exited(session, _scope(session, phone.area_id), since, only)
    return csv_bytes(
        ["name", "label", "village", "head_name", "exit_year"],
        [
            (
                r.code,
                f"{r.code} — {r.head_name} — {r.village_name}",
                r.village_code,
                r.head_name,
                r.exit_period,
            )
            for r in rows
        ],
    )


def plan_items_csv(session: Session, phone: ListsFor) -> bytes:
    """The open support plan items of the households on the follow-up list, for the visit
    form to offer those of the chosen household (`household`, its choice filter)."""
    since = followup_window(date.today()).since_period
    only = cadre_households(session, phone.name, since)
    scope = _scope(session, phone.area_id)
    items = plan_queries.open_items_of_recent_exits(session, scope, since, only)
    return csv_bytes(
        ["name", "label", "household", "planned_date"],
        [
            (
                str(item.id),
                _item_label(item),
                item.household_code,
                item.planned_date.isoformat() if item.planned_date else "",
            )
            for item in items
        ],
    )


def _item_label(item: plan_queries.PhoneItem) -> str:
    by = f" — hạn {item.planned_date.strftime('%d/%m/%Y')}" if item.planned_date else ""
    return f"{item.support} ({item.organisation}){by}"


GENERATED: dict[str, Callable[[Session, ListsFor], bytes]] = {
    "communes.csv": communes_csv,
    "villages.csv": villages_csv,
    "followup_households.csv": followup_households_csv,
    "plan_items.csv": plan_items_csv,
}
