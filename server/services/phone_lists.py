"""Choice lists the server builds for each phone from its area and the registry.

A form that names one of these files gets it generated for an area (the app user's) instead of
stored, so one form serves every commune and a phone sees only its own villages and households;
a draft tried on the forms pages gets them for the signed-in person's area. Their hash in the
manifest is the MD5 of the content for that phone: a phone downloads a list again only when its
own list changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from server.domain.followup_measures import followup_window
from server.formats.choice_lists import csv_bytes
from server.storage import areas
from server.storage import plans as plan_queries
from server.storage import registry as registry_queries
from server.storage.models import Area


def _scope(session: Session, area_id: int | None) -> Area | None:
    return areas.find_area(session, area_id) if area_id else None


def villages_csv(session: Session, area_id: int | None) -> bytes:
    rows = areas.villages_within(session, _scope(session, area_id))
    return csv_bytes(
        ["name", "label", "commune", "urban"],
        [(v.code, v.name, above.code, "1" if v.urban else "0") for v, above in rows],
    )


def communes_csv(session: Session, area_id: int | None) -> bytes:
    above = {p.code: p.name for _, p in areas.villages_within(session, _scope(session, area_id))}
    ordered = sorted(above.items(), key=lambda code_name: code_name[1])
    return csv_bytes(["name", "label"], ordered)


def followup_households_csv(session: Session, area_id: int | None) -> bytes:
    since = followup_window(date.today()).since_period
    rows = registry_queries.recently_exited(session, _scope(session, area_id), since)
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


def plan_items_csv(session: Session, area_id: int | None) -> bytes:
    """The open support plan items of the households on the follow-up list, for the visit
    form to offer those of the chosen household (`household`, its choice filter)."""
    since = followup_window(date.today()).since_period
    items = plan_queries.open_items_of_recent_exits(session, _scope(session, area_id), since)
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


GENERATED: dict[str, Callable[[Session, int | None], bytes]] = {
    "communes.csv": communes_csv,
    "villages.csv": villages_csv,
    "followup_households.csv": followup_households_csv,
    "plan_items.csv": plan_items_csv,
}
