"""A compiled form's questions in order, labelled in each of its languages."""

from __future__ import annotations

from server import xlsform
from server.config import REPO_ROOT
from server.formats.xform_outline import flatten, read_outline
from tests.support.xlsforms import xlsform as build


def test_the_household_survey_reads_as_groups_questions_and_a_repeat_in_both_languages() -> None:
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    outline = read_outline(xlsform.compile_xlsform(path.read_bytes(), path.name).xform)
    assert outline.languages == ("vi", "en")
    rows = {question.path: (depth, question) for depth, question in flatten(outline.questions)}
    depth, year = rows["area/review_year"]
    assert depth == 1
    assert (year.label.get("vi"), year.label.get("en")) == (
        "Năm của danh sách hộ nghèo, hộ cận nghèo",
        "Year of the poor and near-poor list",
    )
    assert year.required and year.constraint
    assert rows["area/village"][1].choices_file == "villages.csv"
    member = rows["members/member"][1]
    assert member.kind == "repeat"
    assert [c.name for c in member.children][:2] == ["m_name", "m_sex"]
    sex = rows["members/member/m_sex"][1]
    assert sex.choices["female"].get("en") == "Female"


def test_a_form_in_one_language_gives_its_labels_whatever_language_is_asked_for() -> None:
    data = build(
        [
            ["type", "name", "label", "relevant"],
            ["integer", "n", "Số người", ""],
            ["note", "ghi", "Có ${n} người", "${n} > 0"],
        ],
        form_id="mot",
    )
    outline = read_outline(xlsform.compile_xlsform(data, "mot.xlsx").xform)
    note = outline.questions[1]
    assert note.label.get("en") == "Có ${n} người"
    assert note.read_only
    assert note.relevant == " /data/n  > 0"
