"""What a merger of areas does to the tables, as a pure rule the SQL is held to.

When whole units merge (the 1 July 2025 reform: several communes into one), the first table of
the new unit starts where its predecessors ended: each start-of-year figure of the successor is
the sum of the same group's end-of-year figures of its predecessors in the year before.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from server.domain.measures import NEAR_POOR, POOR

# Each start-of-year count and the end-of-year count of the year before it continues.
START_FROM_END: Mapping[str, str] = {
    group.start.key: group.end.key for group in (POOR, NEAR_POOR)
} | {group.start_em.key: group.end_em.key for group in (POOR, NEAR_POOR)}


def carried_over(
    end_of_year: Mapping[Hashable, Mapping[str, int]], successor_of: Mapping[Hashable, Hashable]
) -> dict[Hashable, dict[str, int]]:
    """The start-of-year counts of every successor: the sums of its predecessors' end-of-year
    counts (`end_of_year`: the old table's counts per predecessor; `successor_of`: the unit
    each predecessor merged into; a predecessor without counts adds nothing)."""
    out: dict[Hashable, dict[str, int]] = {}
    for old, new in successor_of.items():
        sums = out.setdefault(new, dict.fromkeys(START_FROM_END, 0))
        counts = end_of_year.get(old, {})
        for start, end in START_FROM_END.items():
            sums[start] += counts.get(end, 0)
    return out
