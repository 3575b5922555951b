"""A household's movement between two review periods (the "diễn biến" columns, reference §5.3).

Exited: poor last period, not poor now. Relapsed: poor now after having exited at some time
before. Newly poor: poor now, not poor (or not reviewed) last period, and never exited before.
"""

from __future__ import annotations

from enum import StrEnum

from server.domain.standard_model import HouseholdClass


class Transition(StrEnum):
    EXITED = "exited"
    RELAPSED = "relapsed"
    NEWLY_POOR = "newly_poor"
    UNCHANGED = "unchanged"


def transition(
    previous: HouseholdClass | None, current: HouseholdClass, *, exited_before: bool
) -> Transition:
    """`previous` is None when the household was not reviewed in the previous period."""
    was_poor = previous is HouseholdClass.POOR
    if current is HouseholdClass.POOR:
        if was_poor:
            return Transition.UNCHANGED
        return Transition.RELAPSED if exited_before else Transition.NEWLY_POOR
    return Transition.EXITED if was_poor else Transition.UNCHANGED
