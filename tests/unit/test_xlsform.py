"""pyxform behind one module: problems come back in plain words with their row."""

from __future__ import annotations

import io
import zipfile

import pytest

from server import xlsform
from server.errors import InvalidXLSForm
from tests.support.xlsforms import photo_form
from tests.support.xlsforms import xlsform as build


def problems_of(data: bytes, filename: str = "f.xlsx") -> list[xlsform.FormProblem]:
    with pytest.raises(InvalidXLSForm) as caught:
        xlsform.compile_xlsform(data, filename)
    return list(caught.value.params["items"])


def test_a_duplicate_question_name_is_reported_with_its_row() -> None:
    data = build([["type", "name", "label"], ["text", "a", "A"], ["text", "a", "B"]], form_id="d")
    [problem] = problems_of(data)
    assert problem.row == 3
    assert "'a'" in problem.message
    assert "survey" in problem.message


def test_an_unknown_question_type_is_reported_by_name() -> None:
    data = build([["type", "name", "label"], ["integr", "b", "B"]], form_id="t")
    [problem] = problems_of(data)
    assert "integr" in problem.message


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_plain_words() -> None:
    [problem] = problems_of(b"PK\x03\x04 this is not really a zip", "f.xlsx")
    assert problem.message.startswith(xlsform.UNREADABLE)
    [problem] = problems_of(b"hello", "notes.txt")
    assert "not an XLSForm" in problem.message


def test_a_compiled_form_says_which_questions_hold_files_and_which_media_it_needs() -> None:
    compiled = xlsform.compile_xlsform(photo_form("p", with_media=True), "p.xlsx")
    assert compiled.facts.form_id == "p"
    assert compiled.facts.binary_paths == ("photo", "photo2")
    assert compiled.facts.media_names == ("markets.csv",)
    assert compiled.xform.startswith(b"<?xml")


def test_odk_validate_refuses_an_xpath_that_pyxform_lets_through() -> None:
    data = build(
        [["type", "name", "label", "constraint"], ["integer", "a", "A", ". > "]], form_id="v"
    )
    with pytest.raises(InvalidXLSForm) as caught:
        xlsform.compile_xlsform(data, "v.xlsx", validate=True)
    assert "ODK Validate" in caught.value.message_en


def test_a_problem_pyxform_reports_without_a_row_gets_its_sheet_and_row_looked_up() -> None:
    data = build([["type", "name", "label"], ["text", "a", "A"], ["texte", "b", "B"]], form_id="t")
    [problem] = problems_of(data)
    assert (problem.sheet, problem.row, problem.kind) == ("survey", 3, "unknown_type")
    assert problem.params == {"value": "texte"}
    assert str(problem).startswith("sheet 'survey', row 3: ")


def test_a_problem_on_the_choices_sheet_names_that_sheet() -> None:
    survey = [["type", "name", "label"], ["select_one yn", "a", "A"]]
    choices = [["list_name", "name", "label"], ["yn", "1", "Có"], ["yn", "1", "Không"]]
    [problem] = problems_of(build(survey, form_id="c", choices=choices))
    assert (problem.sheet, problem.row, problem.kind) == ("choices", 3, "duplicate_choice")


def test_a_zip_that_would_unpack_to_more_than_the_limit_is_refused_before_pyxform() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (xlsform.MAX_UNPACKED_BYTES + 1))
    [problem] = problems_of(bomb.getvalue())
    assert problem.kind == "unpacks_too_large"
    [problem] = problems_of(b"PK\x03\x04" + b"\0" * xlsform.MAX_XLSFORM_BYTES)
    assert problem.kind == "too_large"
