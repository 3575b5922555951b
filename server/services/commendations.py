"""The year's commendation of households that left poverty (the directive: "review and
commend households that left poverty each year"): the exited list becomes a review. A commune
officer (or an officer above, inside their area) proposes a household with a note; an upper
officer approves it or declines it with a note; the approved households, with the supports
that reached them and the organisations that helped, make the signed table an emulation
council works from. Outside one's area a household is not named, as if it did not exist;
every proposal and decision is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.domain.commendation import (
    STATE_NAMES,
    check_decision,
    check_proposal,
    may_decide,
    may_propose,
    parse_decision,
)
from server.domain.vocabulary import CommendationState
from server.errors import Forbidden, InvalidInput
from server.formats.tables import CellKind, Column, Layout, Row, Table, place_name
from server.services.accounts import StaffMember, record_action, require_personal_data
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import commendations as queries
from server.storage.areas import is_within
from server.storage.models import Area

_T = CellKind.TEXT


def _mark(flag: bool) -> str:
    return "x" if flag else ""


def _subtitle(area: Area, period: int) -> tuple[str, str]:
    when_vi, when_en = list_year_words(period)
    return f"{area.name} — {when_vi}", f"{area.name} — {when_en}"


def review_table(session: Session, member: StaffMember, area_code: str, period: int) -> Table:
    """Every household that left poverty in the year, with where it stands in the review."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    rows = (
        Row(
            {
                "commune": h.commune,
                "village": h.village,
                "code": h.code,
                "head": h.head_name,
                "em": _mark(h.ethnic_minority),
                "merit": _mark(h.merit),
                "state": STATE_NAMES[h.state][0] if h.state else "",
                "proposal_note": h.proposal_note,
                "decision_note": h.decision_note,
            }
        )
        for h in queries.exited_households(session, area, period)
    )
    vi, en = _subtitle(area, period)
    return Table(
        "xet_khen_thuong",
        f"Xét khen thưởng hộ thoát nghèo năm {period}",
        f"Commendation review of households that left poverty in {period}",
        vi,
        en,
        (
            Column("commune", "Xã", "Commune", _T),
            Column("village", "Thôn", "Village", _T),
            Column("code", "Mã hộ", "Household code", _T),
            Column("head", "Chủ hộ", "Head", _T),
            Column("em", "DTTS", "Ethnic minority", _T),
            Column("merit", "Người có công", "Merit", _T),
            Column("state", "Kết quả xét", "Review", _T),
            Column("proposal_note", "Ý kiến của xã", "Commune's note", _T),
            Column("decision_note", "Ý kiến xét duyệt", "Decision's note", _T),
        ),
        rows,
        Layout.LIST,
    )


def approved_table(session: Session, member: StaffMember, area_code: str, period: int) -> Table:
    """The approved households in the shape an emulation council's list takes (STT, the
    household, the year it left poverty, what it received and who helped), signed."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    approved = queries.exited_households(session, area, period, (CommendationState.APPROVED,))
    helped = queries.helpers(session, [h.household_id for h in approved], period)
    rows = (
        Row(
            {
                "number": number,
                "code": h.code,
                "head": h.head_name,
                "village": h.village,
                "commune": h.commune,
                "year": period,
                "supports": "; ".join(helped[h.household_id].supports),
                "organisations": "; ".join(helped[h.household_id].organisations),
                "note": h.decision_note or h.proposal_note,
            }
        )
        for number, h in enumerate(approved, start=1)
    )
    vi, en = _subtitle(area, period)
    return Table(
        "khen_thuong_thoat_ngheo",
        f"Danh sách hộ thoát nghèo năm {period} đề nghị khen thưởng",
        f"Households that left poverty in {period} approved for commendation",
        vi,
        en,
        (
            Column("number", "STT", "No.", CellKind.COUNT),
            Column("code", "Mã hộ", "Household code", _T),
            Column("head", "Họ và tên chủ hộ", "Head of household", _T),
            Column("village", "Thôn", "Village", _T),
            Column("commune", "Xã", "Commune", _T),
            Column("year", "Năm thoát nghèo", "Year left poverty", _T),
            Column("supports", "Hỗ trợ đã nhận", "Support received", _T),
            Column("organisations", "Tổ chức đã giúp đỡ", "Organisations that helped", _T),
            Column("note", "Ghi chú", "Note", _T),
        ),
        rows,
        Layout.REPORT,
        place=place_name(area.name),
    )


@dataclass(frozen=True)
class Candidate:
    code: str
    head_name: str
    state: CommendationState | None


def candidates(
    session: Session, member: StaffMember, area_code: str, period: int
) -> list[Candidate]:
    """The exited households of the area and where each stands (for the page's pickers)."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    return [
        Candidate(h.code, h.head_name, h.state)
        for h in queries.exited_households(session, area, period)
    ]


def _exited_in_scope(session: Session, member: StaffMember, code: str, period: int) -> int:
    found = queries.exited_village(session, code.strip(), period)
    if found is None or not is_within(found[1], member.scope):
        raise InvalidInput(
            field="household", detail=f"no household {code!r} that left poverty in {period}"
        )
    return found[0]


def propose(session: Session, member: StaffMember, code: str, period: int, note: str) -> None:
    if not may_propose(member.role):
        raise Forbidden()
    household_id = _exited_in_scope(session, member, code, period)
    current = queries.find_commendation(session, household_id, period)
    check_proposal(current.state if current else None, note)
    queries.propose(session, household_id, period, note.strip(), member.id)
    record_action(
        session, member, "commendation_proposed", f"household {code.strip()} {period}", note
    )


def decide(
    session: Session, member: StaffMember, code: str, period: int, decision: str, note: str
) -> None:
    if not may_decide(member.role):
        raise Forbidden()
    household_id = _exited_in_scope(session, member, code, period)
    wanted = parse_decision(decision)
    current = queries.find_commendation(session, household_id, period)
    check_decision(current.state if current else None, wanted, note)
    assert current is not None  # check_decision refuses a household not proposed
    queries.decide(session, current, wanted, note.strip(), member.id)
    record_action(
        session,
        member,
        f"commendation_{wanted.value}",
        f"household {code.strip()} {period}",
        note,
    )
