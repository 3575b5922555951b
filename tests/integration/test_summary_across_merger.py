"""The summary across the July 2025 reform, on random registries: the 2025 table by the old
communes under their district, the 2026 and 2027 tables by the new communes under the new
province, and the start of the year of a new commune = its predecessors' end of the year before
(the pure rule in server/domain/merger.py)."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
from sqlalchemy.orm import Session

from server.domain.merger import START_FROM_END, carried_over
from server.storage import reports
from server.storage.areas import find_area_by_code
from server.storage.models import Area
from server.storage.reports import AreaRow
from tests.support.factories import make_reformed_areas
from tests.support.registries import INDICATORS, random_registry, summary_reference

NEW_COMMUNES = {
    "19597": ("19600", "19621", "19615", "19618"),
    "44603": ("19609", "19612", "19603", "19606"),
}


def _area(session: Session, code: str) -> Area:
    area = find_area_by_code(session, code)
    assert area is not None, code
    return area


def _per_area(rows: list[AreaRow]) -> dict[Hashable, dict[str, int]]:
    """Counts per area, its urban and rural rows summed (a mixed area has one of each)."""
    out: dict[Hashable, dict[str, int]] = {}
    for row in rows:
        summed = out.setdefault(row.code, dict.fromkeys(row.counts, 0))
        for key, value in row.counts.items():
            summed[key] += value
    return out


def _residents(rows: list[AreaRow], before: bool) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        value = row.residents_before if before else row.residents
        out[row.code] = out.get(row.code, 0) + (value or 0)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_a_new_communes_start_of_year_is_the_sum_of_its_predecessors_end_of_year(
    session: Session, seed: int
) -> None:
    make_reformed_areas(session)
    random_registry(session, seed)
    old_table = reports.summary_rows(session, _area(session, "468"), 2025, INDICATORS)
    new_table = reports.summary_rows(session, _area(session, "44"), 2026, INDICATORS)
    successor_of = {old: new for new, olds in NEW_COMMUNES.items() for old in olds}
    expected = carried_over(_per_area(old_table), successor_of)
    got = {
        code: {key: counts[key] for key in START_FROM_END}
        for code, counts in _per_area(new_table).items()
    }
    assert got == expected
    # The start-of-year rate's denominator is carried over the same way.
    old_residents, new_before = _residents(old_table, False), _residents(new_table, True)
    for new, olds in NEW_COMMUNES.items():
        assert new_before[new] == sum(old_residents.get(old, 0) for old in olds)
    session.rollback()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    ("parent_code", "period"),
    [("468", 2025), ("45", 2025), ("44", 2026), ("44", 2027), ("19597", 2026), ("19615", 2025)],
)
def test_the_summary_sql_counts_what_the_reference_counts_in_the_tree_of_its_year(
    session: Session, seed: int, parent_code: str, period: int
) -> None:
    make_reformed_areas(session)
    made = random_registry(session, seed)
    parent = _area(session, parent_code)
    expected = summary_reference(session, parent, period, made)
    rows = reports.summary_rows(session, parent, period, INDICATORS)
    got: dict[int, dict[str, int]] = {}
    for row in rows:
        summed = got.setdefault(row.area_id, dict.fromkeys(row.counts, 0))
        for key, value in row.counts.items():
            summed[key] += value
    got = {area: counts for area, counts in got.items() if any(counts.values())}
    assert got == {area: counts for area, counts in expected.items() if any(counts.values())}
    session.rollback()


def test_the_2026_table_lists_the_new_communes_and_the_2025_table_the_old_ones(
    session: Session,
) -> None:
    make_reformed_areas(session)
    new_rows = reports.summary_rows(session, _area(session, "44"), 2026, INDICATORS)
    assert sorted({row.name for row in new_rows}) == ["Xã Cam Lộ", "Xã Hiếu Giang"]
    old_rows = reports.summary_rows(session, _area(session, "468"), 2025, INDICATORS)
    assert "Xã Cam Chính" in {row.name for row in old_rows}
    assert all(row.residents for row in old_rows if not row.merged_into)
    assert not reports.summary_rows(session, _area(session, "44"), 2025, INDICATORS)
