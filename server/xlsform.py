"""XLSForm → XForm. The only module that imports pyxform.

pyxform reports problems as "[row : 5] On the 'survey' sheet, …"; we keep its words (they are
the best description of the problem) and lift the row into a field of our own so pages can
point at it. ODK Validate (Java, shipped inside pyxform) is run on demand: it catches XPath
errors pyxform lets through.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError, check_xform
from pyxform.xls2xform import convert

from server.errors import InvalidXLSForm
from server.formats.xform import XFormFacts, describe

SUFFIXES = (".xlsx", ".xls", ".xlsm")
UNREADABLE = "the file could not be read as a spreadsheet (.xlsx or .xls)"
_ROW = re.compile(r"^\[row\s*:\s*(\d+)\]\s*")


@dataclass(frozen=True)
class FormProblem:
    message: str
    row: int | None = None

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


@dataclass(frozen=True)
class CompiledForm:
    xform: bytes
    facts: XFormFacts
    warnings: tuple[FormProblem, ...]
    # CSV of the `external_choices` sheet, when the form has one (served as itemsets.csv).
    itemsets_csv: bytes | None


def _problem(text: str) -> FormProblem:
    text = text.strip()
    match = _ROW.match(text)
    if match:
        return FormProblem(text[match.end() :], int(match.group(1)))
    return FormProblem(text)


def _refuse(problems: list[FormProblem]) -> InvalidXLSForm:
    error = InvalidXLSForm(problems="; ".join(str(p) for p in problems))
    error.params["items"] = problems
    return error


def compile_xlsform(data: bytes, filename: str, *, validate: bool = False) -> CompiledForm:
    """Compile an uploaded XLSForm; raise InvalidXLSForm naming the sheet and row."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refuse([FormProblem(f"{filename!r} is not an XLSForm (.xlsx or .xls)")])
    warnings: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Going through a file keeps pyxform's fallback form id = the file name, like Central.
        path = Path(tmp) / PurePath(filename).name
        path.write_bytes(data)
        try:
            result = convert(str(path), warnings=warnings, pretty_print=False)
        except PyXFormError as exc:
            if "not recognized as a supported type" in str(exc):
                raise _refuse([FormProblem(UNREADABLE)]) from exc
            raise _refuse([_problem(str(exc))]) from exc
        except Exception as exc:  # pyxform lets zip and xlrd errors through unwrapped
            raise _refuse([FormProblem(f"{UNREADABLE} ({type(exc).__name__})")]) from exc
    xform = result.xform.encode("utf-8")
    facts = describe(xform)
    found = [_problem(w) for w in warnings]
    if validate:
        found.extend(validate_xform(xform))
    itemsets = result.itemsets.encode("utf-8") if result.itemsets else None
    return CompiledForm(xform, facts, tuple(found), itemsets)


def validate_xform(xform: bytes) -> list[FormProblem]:
    """Run ODK Validate (the JavaRosa engine Collect uses); raise InvalidXLSForm if it refuses."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xml"
        path.write_bytes(xform)
        try:
            warnings = check_xform(str(path))
        except ODKValidateError as exc:
            lines = [ln for ln in str(exc).splitlines() if ln.strip() and tmp not in ln]
            raise _refuse([FormProblem("ODK Validate: " + " ".join(lines))]) from exc
    return [FormProblem(str(w)) for w in warnings]
