"""The rules of the year's commendation of households that left poverty: who may propose a
household, who may decide, and what a decision needs. The commune knows its households and
proposes them; an officer above the commune (the council's side) decides, and a refusal says
why, so the commune can answer it."""

from __future__ import annotations

from server.domain.vocabulary import CommendationState, Role
from server.errors import InvalidInput

STATE_NAMES: dict[CommendationState, tuple[str, str]] = {
    CommendationState.PROPOSED: ("Đề nghị khen thưởng", "Proposed"),
    CommendationState.APPROVED: ("Được duyệt", "Approved"),
    CommendationState.DECLINED: ("Không duyệt", "Declined"),
}
# Every officer proposes inside their area (the commune knows its households; a district may
# add one it visited); only an officer above the commune decides.
PROPOSERS = frozenset({Role.COMMUNE_OFFICER, Role.UPPER_OFFICER, Role.ADMINISTRATOR})
DECIDERS = frozenset({Role.UPPER_OFFICER, Role.ADMINISTRATOR})
NOTE_LENGTH = 500


def may_propose(role: Role) -> bool:
    return role in PROPOSERS


def may_decide(role: Role) -> bool:
    return role in DECIDERS


def check_proposal(current: CommendationState | None, note: str) -> None:
    """A household is proposed once a year; a declined one may be proposed again (the
    commune answered the note), an approved one stays approved."""
    if current is CommendationState.APPROVED:
        raise InvalidInput(field="household", detail="the household is approved already")
    if current is CommendationState.PROPOSED:
        raise InvalidInput(field="household", detail="the household is proposed already")
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(field="note", detail=f"at most {NOTE_LENGTH} characters")


def parse_decision(text: str) -> CommendationState:
    wanted = text.strip().lower()
    if wanted not in (CommendationState.APPROVED, CommendationState.DECLINED):
        raise InvalidInput(field="decision", detail=f"{text!r} is not approved or declined")
    return CommendationState(wanted)


def check_decision(
    current: CommendationState | None, decision: CommendationState, note: str
) -> None:
    """Only a proposal is decided; declining says why."""
    if current is not CommendationState.PROPOSED:
        raise InvalidInput(field="household", detail="the household is not proposed")
    if decision is CommendationState.DECLINED and not note.strip():
        raise InvalidInput(field="note", detail="say why the household is declined")
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(field="note", detail=f"at most {NOTE_LENGTH} characters")
