"""The SQL of policy dialogues: a dialogue written with its attendees and the plan items its
follow-up created, and the dialogues of an area's subtree and year with their counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.vocabulary import PlanState
from server.storage.models import (
    Area,
    Dialogue,
    DialogueAttendee,
    DialogueItem,
    Organisation,
    PlanItem,
)


def add_dialogue(
    session: Session,
    area_id: int,
    period: int,
    held_on: date,
    problems: str,
    user_id: int,
    organisation_ids: Sequence[int],
) -> int:
    row = Dialogue(
        area_id=area_id, period=period, held_on=held_on, problems=problems, recorded_by=user_id
    )
    session.add(row)
    session.flush()
    session.add_all(
        DialogueAttendee(dialogue_id=row.id, organisation_id=o)
        for o in sorted(set(organisation_ids))
    )
    session.flush()
    return row.id


def link_item(session: Session, dialogue_id: int, plan_item_id: int) -> None:
    session.add(DialogueItem(dialogue_id=dialogue_id, plan_item_id=plan_item_id))
    session.flush()


@dataclass(frozen=True)
class ListedDialogue:
    id: int
    held_on: date
    area_name: str
    problems: str
    attendees: list[str]
    items: int
    delivered: int


def dialogues_within(session: Session, scope: Area, period: int) -> list[ListedDialogue]:
    """The dialogues held in `scope`'s subtree for the plan of `period`, the latest first."""
    query = (
        select(Dialogue.id, Dialogue.held_on, Area.name, Dialogue.problems)
        .join(Area, Area.id == Dialogue.area_id)
        .where(Area.path.startswith(scope.path), Dialogue.period == period)
        .order_by(Dialogue.held_on.desc(), Dialogue.id.desc())
    )
    found = session.execute(query).all()
    ids = [r[0] for r in found]
    attendees: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        names = (
            select(DialogueAttendee.dialogue_id, Organisation.name)
            .join(Organisation, Organisation.id == DialogueAttendee.organisation_id)
            .where(DialogueAttendee.dialogue_id.in_(ids))
            .order_by(Organisation.name)
        )
        for dialogue_id, name in session.execute(names):
            attendees[dialogue_id].append(name)
        delivered = func.count().filter(PlanItem.state == PlanState.DELIVERED)
        items = (
            select(DialogueItem.dialogue_id, func.count(), delivered)
            .join(PlanItem, PlanItem.id == DialogueItem.plan_item_id)
            .where(DialogueItem.dialogue_id.in_(ids))
            .group_by(DialogueItem.dialogue_id)
        )
        counts = {r[0]: (int(r[1]), int(r[2])) for r in session.execute(items)}
    return [
        ListedDialogue(r[0], r[1], r[2], r[3], attendees[r[0]], *counts.get(r[0], (0, 0)))
        for r in found
    ]
