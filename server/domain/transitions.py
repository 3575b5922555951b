"""A household's movement between two review periods (the "diễn biến" columns, reference §5.3).

Exited: poor last period, not poor now. Relapsed: poor now after having exited at some time
before. Newly poor: poor now, not poor (or not reviewed) last period, and never exited before.
The same movements are measured for the near-poor group (thoát / tái / phát sinh cận nghèo) by
passing `group`; "newly poor" then reads "newly near-poor".
"""

from __future__ import annotations

from server.domain.vocabulary import HouseholdClass, Transition


def transition(
    previous: HouseholdClass | None,
    current: HouseholdClass,
    *,
    exited_before: bool,
    group: HouseholdClass = HouseholdClass.POOR,
) -> Transition:
    """`previous` is None when the household was not reviewed in the previous period;
    `exited_before` says whether it ever left `group` before."""
    was_in = previous is group
    if current is group:
        if was_in:
            return Transition.UNCHANGED
        return Transition.RELAPSED if exited_before else Transition.NEWLY_POOR
    return Transition.EXITED if was_in else Transition.UNCHANGED
