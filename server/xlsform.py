"""XLSForm → XForm. The only module that imports pyxform.

pyxform reports problems as "[row : 5] On the 'survey' sheet, …"; we keep its words (they are
the best description of the problem) and lift the sheet and row into fields of our own so pages
can point at them (and say them in Vietnamese, by `kind`). Some of its messages name neither
("Unknown question type 'texte'."): the row is then looked up in the workbook. ODK Validate
(Java, shipped inside pyxform) is run on demand: it catches XPath errors pyxform lets through.

An upload is checked before pyxform sees it: an .xlsx is a zip, and a small zip can unpack to
gigabytes, so its declared sizes are checked first (Python's zipfile never unpacks more than the
size an entry declares).
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError, check_xform
from pyxform.xls2xform import convert

from server.errors import InvalidXLSForm
from server.formats.xform import XFormFacts, describe

SUFFIXES = (".xlsx", ".xls", ".xlsm")
UNREADABLE = "the file could not be read as a spreadsheet (.xlsx or .xls)"
MAX_XLSFORM_BYTES = 10_000_000
# Unpacked: the household survey with all its choices is under 1 MB.
MAX_UNPACKED_BYTES = 100_000_000
MAX_ZIP_ENTRIES = 2_000
_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROW = re.compile(r"^\[row\s*:\s*(\d+)\]\s*")
_SHEET = re.compile(r"(?:On the '(\w+)' sheet|for sheet: '(\w+)')")
# pyxform messages this module recognises, as (kind, pattern); the pattern's groups are the
# kind's parameters, which pages put into their own (translated) sentence.
_KINDS = (
    ("unknown_type", re.compile(r"Unknown question type '(?P<value>[^']*)'")),
    ("no_name", re.compile(r"^Question or group with no name")),
    ("duplicate_name", re.compile(r"the 'name' value '(?P<value>[^']*)' is invalid\. Questions")),
    ("invalid_name", re.compile(r"'survey' sheet, the 'name' value is invalid\. Names must")),
    ("duplicate_choice", re.compile(r"Choice names must be unique")),
    ("choice_without_name", re.compile(r"Choices must have a name")),
    ("choice_without_label", re.compile(r"Choices should have a label")),
    ("unknown_list", re.compile(r"List name not in choices sheet: (?P<value>.+)$")),
    ("no_choices_sheet", re.compile(r"There should be a choices sheet")),
    (
        "unknown_reference",
        re.compile(
            r"the '(?P<column>[^']+)' value is invalid\. Reference variables.*"
            r"Could not find the name '(?P<value>[^']*)'"
        ),
    ),
    ("no_label", re.compile(r"survey element named '(?P<value>[^']*)' has no label")),
    ("unmatched", re.compile(r"Unmatched '(?P<value>\w+)'")),
    ("missing_column", re.compile(r"required column headers were not found: '(?P<column>[^']+)'")),
    ("repeat_without_label", re.compile(r"^Repeat has no label")),
)


@dataclass(frozen=True)
class FormProblem:
    message: str
    row: int | None = None
    sheet: str | None = None
    # What went wrong, for a translated sentence: one of _KINDS, "not_xlsform", "unreadable",
    # "too_large", "unpacks_too_large", or "other" (then only `message` says it).
    kind: str = "other"
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"sheet '{self.sheet}'" if self.sheet else "",
                f"row {self.row}" if self.row else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class CompiledForm:
    xform: bytes
    facts: XFormFacts
    warnings: tuple[FormProblem, ...]
    # CSV of the `external_choices` sheet, when the form has one (served as itemsets.csv).
    itemsets_csv: bytes | None


def _sheet_rows(data: bytes, sheet: str) -> list[tuple[str, ...]]:
    """The cells of one sheet as text, header first (only read when a message lacks its row)."""
    if not data.startswith(_ZIP_MAGIC):
        return []  # an .xls: pyxform read it with xlrd; the message then goes without its row
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return []
    try:
        if sheet not in book.sheetnames:
            return []
        rows = book[sheet].iter_rows(values_only=True)
        return [tuple("" if v is None else str(v).strip() for v in row) for row in rows]
    finally:
        book.close()


def _find_row(data: bytes, column: str, value: str, match_start: bool = False) -> int | None:
    rows = _sheet_rows(data, "survey")
    if not rows or column not in rows[0]:
        return None
    at = rows[0].index(column)
    for number, row in enumerate(rows[1:], start=2):
        cell = row[at] if at < len(row) else ""
        if cell == value or (match_start and cell.split(" ")[:1] == [value]):
            return number
    return None


def _problem(text: str, data: bytes = b"") -> FormProblem:
    text = text.strip()
    row = None
    if match := _ROW.match(text):
        text, row = text[match.end() :], int(match.group(1))
    sheet_match = _SHEET.search(text)
    sheet = next((g for g in sheet_match.groups() if g), None) if sheet_match else None
    kind, params = "other", {}
    for name, pattern in _KINDS:
        if found := pattern.search(text):
            kind, params = name, {k: v for k, v in found.groupdict().items() if v is not None}
            break
    if kind == "no_choices_sheet":
        sheet = "choices"
    elif kind == "missing_column":
        row = 1
    elif kind == "unknown_type" and row is None and data:
        row = _find_row(data, "type", params["value"], match_start=True)
    elif kind == "no_label" and row is None and data:
        row = _find_row(data, "name", params["value"])
    if sheet is None and (row is not None or kind in ("unknown_type", "no_label")):
        sheet = "survey"  # pyxform names the sheet for every row that is not on the survey
    return FormProblem(text, row, sheet, kind, params)


def _check_container(data: bytes, suffix: str) -> None:
    """Refuse what is not a spreadsheet, too big, or unpacks to too much, before pyxform."""
    if len(data) > MAX_XLSFORM_BYTES:
        mb = str(MAX_XLSFORM_BYTES // 1_000_000)
        raise _refuse(
            [
                FormProblem(
                    f"the file is larger than {mb} MB", kind="too_large", params={"limit": mb}
                )
            ]
        )
    unreadable = _refuse([FormProblem(UNREADABLE, kind="unreadable")])
    if suffix == ".xls":
        if not data.startswith(_OLE_MAGIC):
            raise unreadable
        return
    if not data.startswith(_ZIP_MAGIC):
        raise unreadable
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise unreadable from exc
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        mb = str(MAX_UNPACKED_BYTES // 1_000_000)
        raise _refuse(
            [
                FormProblem(
                    f"the file would unpack to more than {mb} MB",
                    kind="unpacks_too_large",
                    params={"limit": mb},
                )
            ]
        )


def _refuse(problems: list[FormProblem]) -> InvalidXLSForm:
    error = InvalidXLSForm(problems="; ".join(str(p) for p in problems))
    error.params["items"] = problems
    return error


def compile_xlsform(data: bytes, filename: str, *, validate: bool = False) -> CompiledForm:
    """Compile an uploaded XLSForm; raise InvalidXLSForm naming the sheet and row."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refuse(
            [
                FormProblem(
                    f"{filename!r} is not an XLSForm (.xlsx or .xls)",
                    kind="not_xlsform",
                    params={"value": PurePath(filename).name},
                )
            ]
        )
    _check_container(data, suffix)
    warnings: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Going through a file keeps pyxform's fallback form id = the file name, like Central.
        path = Path(tmp) / PurePath(filename).name
        path.write_bytes(data)
        try:
            result = convert(str(path), warnings=warnings, pretty_print=False)
        except PyXFormError as exc:
            if "not recognized as a supported type" in str(exc):
                raise _refuse([FormProblem(UNREADABLE, kind="unreadable")]) from exc
            raise _refuse([_problem(str(exc), data)]) from exc
        except Exception as exc:  # pyxform lets zip and xlrd errors through unwrapped
            problem = FormProblem(f"{UNREADABLE} ({type(exc).__name__})", kind="unreadable")
            raise _refuse([problem]) from exc
    xform = result.xform.encode("utf-8")
    facts = describe(xform)
    found = [_problem(w, data) for w in warnings]
    if validate:
        found.extend(validate_xform(xform))
    itemsets = result.itemsets.encode("utf-8") if result.itemsets else None
    return CompiledForm(xform, facts, tuple(found), itemsets)


def odk_validate_available() -> bool:
    """ODK Validate runs on Java; a server without it can still compile forms with pyxform."""
    return shutil.which("java") is not None


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
