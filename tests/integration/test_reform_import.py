"""`rasoat areas import` of the official list of new units (old codes → new codes), on the test
database: it creates the new units, ends the old ones, records the successors and re-hangs the
villages; a bad line refuses the whole file, naming the line and column, with nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.cli import main
from server.storage.areas import find_area_by_code
from server.storage.models import Area, AreaPlacement, AreaSuccessor
from tests.support.factories import REFORM_CSV, make_areas_before_reform

HEADER = "old_code,new_code,new_name,new_level,parent_code\n"


@pytest.fixture
def before_reform(session: Session) -> Session:
    make_areas_before_reform(session)
    return session


def rasoat(app: Flask, tmp_path: Path, csv_text: str, *options: str) -> Result:
    path = tmp_path / "xa-moi.csv"
    path.write_text(csv_text, encoding="utf-8")
    return app.test_cli_runner().invoke(main, ["areas", "import", str(path), *options])


def tree(session: Session) -> tuple[object, ...]:
    session.rollback()  # a new read transaction sees what the command wrote
    areas = session.execute(
        text("SELECT code, parent_id, path, valid_from, valid_to FROM area ORDER BY code")
    ).all()
    links = session.execute(text("SELECT count(*) FROM area_successor")).scalar()
    placed = session.execute(text("SELECT count(*) FROM area_placement")).scalar()
    return (tuple(tuple(row) for row in areas), links, placed)


def _area(session: Session, code: str) -> Area:
    area = find_area_by_code(session, code)
    assert area is not None, code
    return area


def test_the_list_of_new_communes_creates_them_ends_the_old_ones_and_moves_their_villages(
    app: Flask, before_reform: Session, tmp_path: Path
) -> None:
    session = before_reform
    result = rasoat(app, tmp_path, REFORM_CSV)
    assert result.exit_code == 0, result.output
    assert "2 new units, 10 old units ended on 2025-06-30, 25 villages moved" in result.output
    session.rollback()
    province, cam_lo = _area(session, "44"), _area(session, "19597")
    assert cam_lo.parent_id == province.id and cam_lo.valid_from == date(2025, 7, 1)
    cam_chinh = _area(session, "19615")
    assert cam_chinh.valid_to == date(2025, 6, 30)
    successors = session.scalars(
        select(AreaSuccessor.successor_id).where(AreaSuccessor.area_id == cam_chinh.id)
    ).all()
    assert successors == [cam_lo.id]
    village = _area(session, "1961502")  # thôn Mai Lộc 2, of Cam Chính
    assert village.parent_id == cam_lo.id and village.path == f"{cam_lo.path}{village.id}/"
    placement = session.get(AreaPlacement, (village.id, date(2025, 6, 30)))
    assert placement is not None and placement.path.startswith(cam_chinh.path)
    # The district and the old province had nothing left: they end with their communes.
    assert _area(session, "468").valid_to == date(2025, 6, 30)
    assert _area(session, "45").valid_to == date(2025, 6, 30)
    # A unit merged in 2020 keeps its own end.
    assert _area(session, "19627").valid_to == date(2019, 12, 31)


def test_the_last_day_of_the_old_units_can_be_given(
    app: Flask, before_reform: Session, tmp_path: Path
) -> None:
    result = rasoat(app, tmp_path, REFORM_CSV, "--ended-on", "2025-06-15")
    assert result.exit_code == 0, result.output
    before_reform.rollback()
    assert _area(before_reform, "19615").valid_to == date(2025, 6, 15)
    assert _area(before_reform, "19597").valid_from == date(2025, 6, 16)


GOOD = "19615,19597,Xã Cam Lộ,commune,44\n"


@pytest.mark.parametrize(
    ("lines", "where", "problem"),
    [
        (GOOD + "99999,19597,Xã Cam Lộ,commune,44\n", "line 4, column old_code", "no area"),
        (GOOD + "19615,19597,Xã Cam Lộ,commune,44\n", "line 4, column old_code", "line 3"),
        (GOOD + "1961501,19597,Xã Cam Lộ,commune,44\n", "line 4, column old_code", "village"),
        (GOOD + "19627,19597,Xã Cam Lộ,commune,44\n", "line 4, column old_code", "2019-12-31"),
        (GOOD + "19618,19597,Xã Cam Lộ Mới,commune,44\n", "line 4, column new_name", "line 3"),
        (GOOD + "19618,19597,Xã Cam Lộ,ward,44\n", "line 4, column new_level", "line 3"),
        (GOOD + "19618,44999,Xã Mới,hamlet,44\n", "line 4, column new_level", "hamlet"),
        (GOOD + "19618,44999,Xã Mới,commune,77\n", "line 4, column parent_code", "77"),
        (GOOD + "19618,44999,Xã Mới,commune,19603\n", "line 4, column parent_code", "commune"),
        (GOOD + "19618,19603,Xã Hiếu Giang,commune,44\n", "line 4, column new_code", "Cam Tuyền"),
        (GOOD + ",44999,Xã Mới,commune,44\n", "line 4, column old_code", "empty"),
        (GOOD + "19618,44999,,commune,44\n", "line 4, column new_name", "empty"),
    ],
)
def test_a_bad_line_refuses_the_whole_list_naming_its_line_and_column(
    app: Flask, before_reform: Session, tmp_path: Path, lines: str, where: str, problem: str
) -> None:
    before = tree(before_reform)
    result = rasoat(app, tmp_path, "# Danh sách xã mới\n" + HEADER.strip() + "\n" + lines)
    assert result.exit_code != 0
    assert where in result.output, result.output
    assert problem in result.output
    assert tree(before_reform) == before


def test_a_list_without_the_required_columns_is_refused_naming_them(
    app: Flask, before_reform: Session, tmp_path: Path
) -> None:
    before = tree(before_reform)
    result = rasoat(app, tmp_path, "old_code,new_code,new_name\n19615,19597,Xã Cam Lộ\n")
    assert result.exit_code != 0
    assert "new_level" in result.output and "parent_code" in result.output
    assert tree(before_reform) == before


def test_the_last_day_is_refused_for_an_ordinary_area_file(
    app: Flask, before_reform: Session, tmp_path: Path
) -> None:
    ordinary = "code,name,level,parent_code,urban\n9,Tỉnh,province,,\n"
    result = rasoat(app, tmp_path, ordinary, "--ended-on", "2025-06-30")
    assert result.exit_code != 0 and "--ended-on" in result.output
