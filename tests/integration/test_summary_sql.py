"""The summary's SQL against the reference implementation of every measure, on random
registries, at every level of the tree (province › district › commune › village)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from server.storage import reports
from server.storage.areas import find_area_by_code
from tests.support.factories import make_areas
from tests.support.registries import INDICATORS, random_registry, summary_reference


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("parent_code", ["45", "468", "19603", "19600"])
def test_the_summary_sql_counts_what_the_reference_counts(
    session: Session, seed: int, parent_code: str
) -> None:
    make_areas(session)
    made = random_registry(session, seed)
    parent = find_area_by_code(session, parent_code)
    assert parent is not None
    for period in (2026, 2027):
        expected = summary_reference(session, parent, period, made)
        rows = reports.summary_rows(session, parent, period, INDICATORS)
        # An area with urban and rural villages has a row in each block: their sum is its count.
        got: dict[int, dict[str, int]] = {}
        for row in rows:
            summed = got.setdefault(row.area_id, dict.fromkeys(row.counts, 0))
            for key, value in row.counts.items():
                summed[key] += value
        got = {area: counts for area, counts in got.items() if any(counts.values())}
        assert got == {area: counts for area, counts in expected.items() if any(counts.values())}
    session.rollback()
