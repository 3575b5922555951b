"""The pure rules of the commendation review and of a dialogue's follow-up lines."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain.commendation import (
    check_decision,
    check_proposal,
    may_decide,
    may_propose,
    parse_decision,
)
from server.domain.dialogues import FollowUp, check_problems, parse_follow_ups
from server.domain.vocabulary import CommendationState, Role
from server.errors import InvalidInput

PROPOSED, APPROVED, DECLINED = (
    CommendationState.PROPOSED,
    CommendationState.APPROVED,
    CommendationState.DECLINED,
)


def test_only_an_officer_above_the_commune_or_an_administrator_decides() -> None:
    assert [r for r in Role if may_decide(r)] == [Role.ADMINISTRATOR, Role.UPPER_OFFICER]
    assert not may_propose(Role.VIEWER) and may_propose(Role.COMMUNE_OFFICER)


def test_a_household_is_proposed_once_and_again_only_after_a_decline() -> None:
    check_proposal(None, "")
    check_proposal(DECLINED, "bổ sung hồ sơ")
    for state in (PROPOSED, APPROVED):
        with pytest.raises(InvalidInput) as refused:
            check_proposal(state, "")
        assert refused.value.params["field"] == "household"


def test_declining_needs_a_note_and_only_a_proposal_is_decided() -> None:
    check_decision(PROPOSED, APPROVED, "")
    with pytest.raises(InvalidInput) as refused:
        check_decision(PROPOSED, DECLINED, "  ")
    assert refused.value.params["field"] == "note"
    with pytest.raises(InvalidInput):
        check_decision(None, APPROVED, "")
    with pytest.raises(InvalidInput) as wrong:
        parse_decision("proposed")
    assert wrong.value.params["field"] == "decision"


def test_follow_up_lines_are_read_and_a_bad_one_is_named_by_its_line() -> None:
    text = "1960301-002 | Thẻ BHYT | 3 | 2027-03-31\n\n1960302-003|Sửa nhà|12\n"
    assert parse_follow_ups(text) == [
        FollowUp(1, "1960301-002", "Thẻ BHYT", 3, date(2027, 3, 31)),
        FollowUp(3, "1960302-003", "Sửa nhà", 12, None),
    ]
    for bad in ("a | b", "a | b | x", "a | b | 3 | 31/03/2027", " | b | 3", "a |  | 3"):
        with pytest.raises(InvalidInput) as refused:
            parse_follow_ups(f"1960301-002 | Thẻ | 3\n{bad}")
        assert refused.value.params["field"] == "follow_ups, line 2", bad
    with pytest.raises(InvalidInput):
        check_problems(" \n ")
