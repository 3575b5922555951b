"""Policy dialogues (the directive: "hold dialogues on access to preferential policies"): the
record of one dialogue of an area — when, which organisations of the registry attended, the
problems people raised — and its follow-up items, each of which becomes an item of a named
household's plan (services/support_plans.add_free_item: the same scope rules as every item).
The whole record is refused at its first bad field or line, nothing half-written; every record
is written to the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.domain.dialogues import check_problems, parse_follow_ups
from server.domain.support_plans import parse_day
from server.errors import InvalidInput
from server.formats.tables import CellKind, Column, Layout, Row, Table
from server.services import support_plans as plans
from server.services.accounts import StaffMember, record_action
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import dialogues as queries

_T = CellKind.TEXT


@dataclass(frozen=True)
class RecordedDialogue:
    area_code: str
    period: int
    held_on: str  # YYYY-MM-DD
    problems: str
    organisation_ids: Sequence[int]
    follow_ups: str  # one line per item (domain/dialogues.parse_follow_ups)


@dataclass(frozen=True)
class RecordResult:
    dialogue_id: int
    items: int


def record_dialogue(
    session: Session, member: StaffMember, wanted: RecordedDialogue
) -> RecordResult:
    plans.require_planner(member)
    area = visible_area(session, member.scope, wanted.area_code)
    if not wanted.held_on.strip():
        raise InvalidInput(field="held_on", detail="give the date of the dialogue (YYYY-MM-DD)")
    held_on = parse_day(wanted.held_on, "held_on")
    problems = check_problems(wanted.problems)
    if not wanted.organisation_ids:
        raise InvalidInput(field="attendees", detail="choose the organisations that attended")
    for organisation_id in wanted.organisation_ids:
        plans.usable_organisation(session, member, organisation_id, "attendees")
    follow_ups = parse_follow_ups(wanted.follow_ups)
    dialogue_id = queries.add_dialogue(
        session, area.id, wanted.period, held_on, problems, member.id, wanted.organisation_ids
    )
    for follow_up in follow_ups:
        item_id = plans.add_free_item(
            session,
            member,
            area,
            wanted.period,
            (
                follow_up.household,
                follow_up.support,
                follow_up.organisation_id,
                follow_up.planned_date,
            ),
            follow_up.field,
        )
        queries.link_item(session, dialogue_id, item_id)
    record_action(
        session,
        member,
        "dialogue_recorded",
        f"dialogue {dialogue_id}",
        f"{area.code} {held_on.isoformat()}: {len(follow_ups)} follow-up items",
    )
    return RecordResult(dialogue_id, len(follow_ups))


def dialogues_table(session: Session, member: StaffMember, area_code: str, period: int) -> Table:
    """The dialogues of the area and year with their follow-up items' progress (no household
    is named here: the items are in the plan)."""
    plans.require_planner(member)
    area = visible_area(session, member.scope, area_code)
    rows = (
        Row(
            {
                "held_on": d.held_on.isoformat(),
                "area": d.area_name,
                "attendees": "; ".join(d.attendees),
                "problems": d.problems,
                "items": d.items,
                "delivered": d.delivered,
            }
        )
        for d in queries.dialogues_within(session, area, period)
    )
    when_vi, when_en = list_year_words(period)
    return Table(
        "doi_thoai_chinh_sach",
        "Đối thoại chính sách",
        "Policy dialogues",
        f"{area.name} — {when_vi}",
        f"{area.name} — {when_en}",
        (
            Column("held_on", "Ngày đối thoại", "Date", _T),
            Column("area", "Địa bàn", "Area", _T),
            Column("attendees", "Tổ chức tham dự", "Organisations attending", _T),
            Column("problems", "Vấn đề được nêu", "Problems raised", _T),
            Column("items", "Số việc cần làm tiếp", "Follow-up items"),
            Column("delivered", "Đã hỗ trợ", "Delivered"),
        ),
        rows,
        Layout.LIST,
    )
