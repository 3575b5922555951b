"""pyxform behind one module: problems come back in plain words with their row."""

from __future__ import annotations

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
