"""The pure rules of a support plan: which state may follow which, when an item is overdue,
and how a date, a state or an organisation's kind written in a file is read."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain.support_plans import (
    Change,
    VisitMoves,
    VisitReport,
    check_change,
    is_overdue,
    moves_of_visit,
    parse_day,
    parse_kind,
    parse_state,
)
from server.domain.vocabulary import OrganisationKind, PlanState
from server.errors import InvalidInput

P, IP, D, NP = (
    PlanState.PLANNED,
    PlanState.IN_PROGRESS,
    PlanState.DELIVERED,
    PlanState.NOT_POSSIBLE,
)
TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("new", [P, IP, D])
def test_an_open_item_may_move_to_any_state_but_not_possible_needs_a_reason(
    new: PlanState,
) -> None:
    for current in (P, IP):
        check_change(current, Change(new, None, ""))
        check_change(current, Change(NP, None, "Hộ đi làm ăn xa"))
        with pytest.raises(InvalidInput, match="reason"):
            check_change(current, Change(NP, None, "  "))


@pytest.mark.parametrize("new", [P, IP, NP])
def test_a_delivered_item_stays_delivered(new: PlanState) -> None:
    check_change(D, Change(D, None, ""))
    with pytest.raises(InvalidInput, match="state"):
        check_change(D, Change(new, None, "lý do"))


def test_an_item_not_possible_may_be_planned_again_but_not_delivered_at_once() -> None:
    check_change(NP, Change(P, date(2027, 1, 1), ""))
    check_change(NP, Change(IP, None, ""))
    with pytest.raises(InvalidInput):
        check_change(NP, Change(D, None, ""))


def test_only_an_open_item_past_its_date_is_overdue() -> None:
    yesterday, today = date(2026, 12, 3), TODAY
    assert is_overdue(P, yesterday, TODAY) and is_overdue(IP, yesterday, TODAY)
    assert not is_overdue(P, today, TODAY)  # due today is not late yet
    assert not is_overdue(D, yesterday, TODAY) and not is_overdue(NP, yesterday, TODAY)
    assert not is_overdue(P, None, TODAY)


@pytest.mark.parametrize("text", ["31/03/2027", "2027-3-31", "2027-02-30", "", "20270331"])
def test_a_date_is_read_only_as_year_month_day(text: str) -> None:
    with pytest.raises(InvalidInput, match="line 4, column H"):
        parse_day(text, "line 4, column H")
    assert parse_day(" 2027-03-31 ", "x") == date(2027, 3, 31)


def test_a_state_or_a_kind_is_read_by_its_code_or_its_name_in_either_language() -> None:
    assert parse_state("delivered", "x") is D
    assert parse_state("Đã hỗ trợ", "x") is D
    assert parse_state("not possible", "x") is NP
    with pytest.raises(InvalidInput, match="finished"):
        parse_state("finished", "x")
    assert parse_kind("Hội Liên hiệp Phụ nữ", "x") is OrganisationKind.WOMENS_UNION
    assert parse_kind("vbsp", "x") is OrganisationKind.VBSP
    with pytest.raises(InvalidInput):
        parse_kind("church", "x")


def test_a_visit_moves_the_open_items_it_ticks_and_names_those_it_cannot_move() -> None:
    states = {
        1: PlanState.PLANNED,
        2: PlanState.IN_PROGRESS,
        3: PlanState.DELIVERED,
        4: PlanState.NOT_POSSIBLE,
        5: PlanState.PLANNED,
    }
    report = VisitReport(
        delivered=frozenset({"1", "3", "4", "9", "x", "1234567890"}),
        impossible=frozenset({"2", "1"}),
        reason=" chưa có điện ",
    )
    found = moves_of_visit(report, states)
    assert found.moves == {
        1: Change(PlanState.DELIVERED, None, "chưa có điện"),  # ticked both ways: it arrived
        2: Change(PlanState.NOT_POSSIBLE, None, "chưa có điện"),
    }
    # 3 is already delivered (a re-sent or edited record): left alone, no complaint.
    assert found.refused == ("1234567890", "4", "9", "x")


def test_a_visit_saying_an_item_is_not_possible_without_a_reason_moves_nothing() -> None:
    report = VisitReport(frozenset(), frozenset({"5"}), "")
    assert moves_of_visit(report, {5: PlanState.PLANNED}) == VisitMoves({}, ("5",))
