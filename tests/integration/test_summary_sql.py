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
        got = {row.area_id: row.counts for row in rows if any(row.counts.values())}
        assert got == {area: counts for area, counts in expected.items() if any(counts.values())}
    session.rollback()
