"""Importing the area tree from CSV: all or nothing, errors name the line and column."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.services.areas import import_areas_csv
from server.storage.areas import count_areas, find_area_by_code, is_within
from server.storage.models import AreaHouseholds, AreaSuccessor
from tests.support.factories import make_areas

HEADER = "code,name,level,parent_code,urban\n"


def test_the_demo_tree_builds_materialised_paths_for_roll_ups(session: Session) -> None:
    make_areas(session)
    province, village = find_area_by_code(session, "45"), find_area_by_code(session, "1960301")
    commune, other = find_area_by_code(session, "19603"), find_area_by_code(session, "19606")
    assert province
    assert village
    assert commune
    assert other
    assert village.path.startswith(province.path)
    assert village.path.startswith(commune.path)
    assert is_within(village, commune)
    assert not is_within(village, other)
    assert find_area_by_code(session, "1960001").urban  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ("1,Tỉnh A,province,,\n2,Xã B,commune,9,\n", "line 3, column parent_code"),
        ("1,Tỉnh A,province,,\n2,Xã B,hamlet,1,\n", "line 3, column level"),
        ("1,,province,,\n", "line 2, column name"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_names_its_line(
    session: Session, rows: str, where: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_areas_csv(session, HEADER + rows)
    session.rollback()
    assert where in caught.value.message_en
    assert count_areas(session) == 0


def test_a_file_without_the_required_columns_is_refused() -> None:
    with pytest.raises(InvalidInput, match="parent_code"):
        import_areas_csv(None, "code,name,level\n1,A,province\n")  # type: ignore[arg-type]


def test_household_counts_per_year_and_successors_of_merged_communes_are_loaded(
    session: Session,
) -> None:
    make_areas(session)
    cam_an, thanh_an = find_area_by_code(session, "19627"), find_area_by_code(session, "19606")
    assert cam_an is not None and thanh_an is not None
    assert cam_an.valid_to is not None and cam_an.valid_to.isoformat() == "2019-12-31"
    successors = session.scalars(
        select(AreaSuccessor.successor_id).where(AreaSuccessor.area_id == cam_an.id)
    ).all()
    assert successors == [thanh_an.id]
    village = find_area_by_code(session, "1960301")
    counts = session.scalars(
        select(AreaHouseholds).where(AreaHouseholds.area_id == village.id)  # type: ignore[union-attr]
    ).all()
    assert {c.year for c in counts} == {2025, 2026}


def test_a_household_count_that_is_not_a_number_names_its_line_and_column(
    session: Session,
) -> None:
    text = "code,name,level,parent_code,urban,households_2026\n1,Tỉnh A,province,,,nhiều\n"
    with pytest.raises(InvalidInput) as caught:
        import_areas_csv(session, text)
    session.rollback()
    assert "line 2, column households_2026" in caught.value.message_en
