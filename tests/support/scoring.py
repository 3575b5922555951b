"""Answers to a score table (Phiếu B) worth a given number of points, found from the table's own
points, so that no test repeats them (an officer may replace a sample table by import)."""

from __future__ import annotations

from server.domain.scoring import ScoreTable


def answers_worth(table: ScoreTable, target: int) -> dict[str, str]:
    """Question name → answer code, adding up to `target` points (searched item by item over
    the reachable totals)."""
    reachable: dict[int, dict[str, str]] = {0: {}}
    for item in table.items:
        reachable = {
            total + answer.points: {**chosen, table.field(item): answer.code}
            for total, chosen in reachable.items()
            for answer in item.answers
        }
    if target not in reachable:
        raise AssertionError(f"{table.code} cannot score {target}")
    return reachable[target]
