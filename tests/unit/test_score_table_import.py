"""`rasoat score-table import`: a sample table replaced by the official one, or refused whole
with the line and column of the mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from server.cli import main
from server.domain.score_table_file import DEFAULT_FOLDER, read_score_table

OFFICIAL = (
    "item,item_vi,item_en,answer,answer_vi,answer_en,points\n"
    "tv,Hộ có ti vi không?,Does the household own a TV?,yes,Có,Yes,60\n"
    "tv,,,no,Không,No,0\n"
    "house,Nhà ở,House,solid,Kiên cố,Solid,90\n"
    "house,,,other,Khác,Other,10\n"
)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "score_tables"
    shutil.copytree(DEFAULT_FOLDER, folder)
    return folder


def _run(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["score-table", "import", *args, "--folder", str(folder)])
    return result.exit_code, result.output


def test_an_imported_table_replaces_the_sample_and_is_no_longer_marked_one(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    csv_file = tmp_path / "bang_thanh_thi.csv"
    csv_file.write_text(OFFICIAL, encoding="utf-8-sig")
    code, output = _run(folder, "urban", str(csv_file), "--source", "Phụ lục III, TT 07/2021")
    assert code == 0, output
    assert "2 câu hỏi" in output and "reclassify" in output
    table = read_score_table("urban", folder)
    assert not table.sample and table.source == "Phụ lục III, TT 07/2021"
    assert [item.code for item in table.items] == ["tv", "house"]
    assert table.caption("vi") == "Thành thị"


def test_a_mistake_is_refused_naming_line_and_column_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    csv_file = tmp_path / "bang.csv"
    csv_file.write_text(OFFICIAL.replace(",90\n", ",chín mươi\n"), encoding="utf-8")
    code, output = _run(folder, "urban", str(csv_file), "--source", "TT 07/2021")
    assert code != 0
    assert "bang.csv: line 4, column points" in output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_an_unknown_table_code_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    csv_file = tmp_path / "bang.csv"
    csv_file.write_text(OFFICIAL, encoding="utf-8")
    code, output = _run(folder, "mekong", str(csv_file), "--source", "TT 07/2021")
    assert code != 0 and "score table mekong" in output
