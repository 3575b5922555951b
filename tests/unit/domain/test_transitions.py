"""Movement between two review periods: exited, relapsed, newly poor, unchanged."""

from __future__ import annotations

import pytest

from server.domain.transitions import transition
from server.domain.vocabulary import HouseholdClass, Transition

POOR, NEAR = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
MIDDLE, NOT_POOR = HouseholdClass.MIDDLE, HouseholdClass.NOT_POOR


@pytest.mark.parametrize(
    ("previous", "current", "exited_before", "expected"),
    [
        (POOR, POOR, False, Transition.UNCHANGED),
        (POOR, POOR, True, Transition.UNCHANGED),
        (NEAR, POOR, True, Transition.RELAPSED),
        (NOT_POOR, POOR, True, Transition.RELAPSED),
        (None, POOR, True, Transition.RELAPSED),
        (NEAR, POOR, False, Transition.NEWLY_POOR),
        (MIDDLE, POOR, False, Transition.NEWLY_POOR),
        (None, POOR, False, Transition.NEWLY_POOR),
        (POOR, NEAR, False, Transition.EXITED),
        (POOR, MIDDLE, True, Transition.EXITED),
        (POOR, NOT_POOR, False, Transition.EXITED),
        (NEAR, NEAR, False, Transition.UNCHANGED),
        (NEAR, NOT_POOR, True, Transition.UNCHANGED),
        (MIDDLE, NEAR, False, Transition.UNCHANGED),
        (None, NEAR, True, Transition.UNCHANGED),
        (None, NOT_POOR, False, Transition.UNCHANGED),
    ],
)
def test_a_transition_compares_this_period_with_the_previous_one(
    previous: HouseholdClass | None,
    current: HouseholdClass,
    exited_before: bool,
    expected: Transition,
) -> None:
    assert transition(previous, current, exited_before=exited_before) is expected


@pytest.mark.parametrize(
    ("previous", "current", "exited_before", "expected"),
    [
        (HouseholdClass.NEAR_POOR, HouseholdClass.MIDDLE, False, Transition.EXITED),
        (HouseholdClass.NEAR_POOR, HouseholdClass.POOR, False, Transition.EXITED),
        (HouseholdClass.POOR, HouseholdClass.NEAR_POOR, False, Transition.NEWLY_POOR),
        (HouseholdClass.MIDDLE, HouseholdClass.NEAR_POOR, True, Transition.RELAPSED),
        (HouseholdClass.NEAR_POOR, HouseholdClass.NEAR_POOR, True, Transition.UNCHANGED),
        (None, HouseholdClass.NOT_POOR, False, Transition.UNCHANGED),
    ],
)
def test_the_near_poor_group_has_the_same_movements(
    previous: HouseholdClass | None,
    current: HouseholdClass,
    exited_before: bool,
    expected: Transition,
) -> None:
    result = transition(
        previous, current, exited_before=exited_before, group=HouseholdClass.NEAR_POOR
    )
    assert result is expected
