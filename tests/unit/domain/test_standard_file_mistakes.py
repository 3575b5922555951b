"""Mistakes in a standard file come back as InvalidInput naming the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.domain.standards import DEFAULT_FOLDER, load_standards
from server.errors import InvalidInput


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = shutil.copytree(DEFAULT_FOLDER, tmp_path / "standards")
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


BROKEN = [
    # (file, old text, new text, field named, words in the detail)
    (
        "nd07_2022.toml",
        "named_last_year = 2025",
        "named_last_year = 2026",
        "nd07_2022.toml: named_last_year",
        "leave it out when the title names every year",
    ),
    (
        "nd351_2027.toml",
        'caveat_vi = "ngưỡng tạm',
        'caveat_note = "ngưỡng tạm',
        "nd351_2027.toml: caveat_note",
        "unknown key",
    ),
    (
        "nd351_2027.toml",
        'caveat_en = "provisional thresholds',
        '# caveat_en = "provisional thresholds',
        "nd351_2027.toml: caveat_vi",
        "a provisional standard needs caveat_vi and caveat_en",
    ),
    (
        "nd07_2022.toml",
        "provisional = false\n",
        'provisional = false\ncaveat_vi = "tạm"\ncaveat_en = "provisional"\n',
        "nd07_2022.toml: caveat_vi",
        "only a provisional standard carries a caveat",
    ),
    (
        "nd351_2027.toml",
        'params = { connected = ["home_fixed", "mobile_data"] }',
        'params = { connected = ["home_fixed"], min = 1 }',
        "nd351_2027.toml: indicators.internet_access.params.min",
        "unknown key",
    ),
    (
        "nd351_2027.toml",
        'source_mark = "D"\nsources',
        'source_mark = "X"\nsources',
        "nd351_2027.toml: list_years.source_mark",
        "must be one of",
    ),
    (
        "nd07_2022.toml",
        "deficiency_cutoff = 3 ",
        "",
        "nd07_2022.toml: deficiency_cutoff",
        "missing",
    ),
    (
        "nd07_2022.toml",
        'rule = "member_work"',
        'rule = "member_wrk"',
        "nd07_2022.toml: indicators.employment.rule",
        "unknown rule kind 'member_wrk'",
    ),
    (
        "nd07_2022.toml",
        "middle = 2250000",
        "middle = 1400000",
        "nd07_2022.toml: rural.middle",
        "must be more than poverty",
    ),
    (
        "qd59_2016.toml",
        "near_poverty = 1000000",
        "near_poverty = 1600000",
        "qd59_2016.toml: rural.middle",
        "must be more than near_poverty",
    ),
    (
        "qd59_2016.toml",
        "near_poverty = 1300000",
        "",
        "qd59_2016.toml: urban.near_poverty",
        "two_band_or needs it",
    ),
    (
        "nd07_2022.toml",
        "poverty = 2000000",
        "poverty = 2000000\nnear_poverty = 2500000",
        "nd07_2022.toml: urban.near_poverty",
        "single_line_and has no near-poverty line",
    ),
    (
        "nd07_2022.toml",
        "poverty = 1500000",
        'poverty = "1.5 M"',
        "nd07_2022.toml: rural.poverty",
        "expected a number",
    ),
    (
        "nd07_2022.toml",
        "last_year = 2026",
        "last_year = 2027",
        "nd351_2027.toml: first_year",
        "overlaps: nd07_2022.toml covers 2022–2027",
    ),
    (
        "nd351_2027.toml",
        "first_year = 2027",
        "first_year = 2028",
        "nd351_2027.toml: first_year",
        "gap",
    ),
    (
        "qd59_2016.toml",
        "last_year = 2021",
        "last_year = 2015",
        "qd59_2016.toml: last_year",
        "must not be before first_year",
    ),
    (
        "nd07_2022.toml",
        "params = { min_age = 6 }",
        "params = {}",
        "nd07_2022.toml: indicators.health_insurance.params.min_age",
        "missing",
    ),
    (
        "nd07_2022.toml",
        "params = { max_age = 15 }",
        "params = { max_age = 15, colour = 1 }",
        "nd07_2022.toml: indicators.nutrition.params.colour",
        "unknown key",
    ),
    (
        "nd07_2022.toml",
        "params = { max_age = 15 }",
        "params = { max_age = -1 }",
        "nd07_2022.toml: indicators.nutrition.params.max_age",
        "negative",
    ),
    (
        "nd07_2022.toml",
        'code = "dependants"',
        'code = "employment"',
        "nd07_2022.toml: indicators.employment",
        "used twice",
    ),
    (
        "nd07_2022.toml",
        'shape = "single_line_and"',
        'shape = "single_line"',
        "nd07_2022.toml: shape",
        "must be one of",
    ),
    (
        "nd07_2022.toml",
        'dimension = "employment"\nname_vi = "Việc làm"',
        'dimension = "jobs"\nname_vi = "Việc làm"',
        "nd07_2022.toml: indicators.employment.dimension",
        "'jobs' is not in [dimensions]",
    ),
    (
        "nd07_2022.toml",
        'code = "nd07_2022"',
        'code = "nd07"',
        "nd07_2022.toml: code",
        "file name",
    ),
    (
        "nd07_2022.toml",
        "min_age = 18\nmax_age = 30",
        "min_age = 18\nmax_age = 17",
        "nd07_2022.toml: indicators.adult_education.params.bands.18-30.max_age",
        "must not be below min_age",
    ),
    (
        "nd07_2022.toml",
        'source_mark = "S"\nprovisional = true\nsupport_vi = "Giới thiệu việc làm, vay',
        'source_mark = "X"\nprovisional = true\nsupport_vi = "Giới thiệu việc làm, vay',
        "nd07_2022.toml: indicators.dependants.source_mark",
        "must be one of",
    ),
    (
        "nd07_2022.toml",
        "deficiency_cutoff = 3 ",
        "deficiency_cutoff = 13 ",
        "nd07_2022.toml: deficiency_cutoff",
        "between 1 and 12",
    ),
    (
        "nd351_2027.toml",
        "income_margin = 0.2",
        "income_margin = 0.2\nincome_margn = 0.1",
        "nd351_2027.toml: relapse_risk.income_margn",
        "unknown key",
    ),
    (
        "nd351_2027.toml",
        'provisional = ["middle"]\n\n[urban]',
        'provisional = ["midle"]\n\n[urban]',
        "nd351_2027.toml: rural.provisional",
        "unknown line 'midle'",
    ),
    ("qd59_2016.toml", "[rural]", "[rural", "qd59_2016.toml", "not a valid TOML file"),
]


@pytest.mark.parametrize(("file", "old", "new", "field", "detail"), BROKEN)
def test_a_mistake_in_a_standard_file_names_the_file_and_the_key(
    tmp_path: Path, file: str, old: str, new: str, field: str, detail: str
) -> None:
    folder = broken_copy(tmp_path, file, old, new)
    with pytest.raises(InvalidInput) as caught:
        load_standards(folder)
    assert caught.value.params["field"] == field
    assert detail in str(caught.value.detail)


def test_a_folder_without_standard_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_standards(tmp_path)
    assert "no standard files" in str(caught.value.detail)
