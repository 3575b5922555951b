"""The XLSForm builder: a form as rows and choice lists in Python, written as a workbook.

Nothing here knows a survey: `Row` is one row of the `survey` sheet, `Form` one workbook, the
helpers build groups, repeats, calculations and XPath conditions, and `workbook_bytes` writes
the `survey`, `choices` and `settings` sheets so that an unchanged form gives the same bytes.
Every text is a pair (Tiếng Việt, English); Vietnamese is the default language.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

LANGUAGES = ("Tiếng Việt (vi)", "English (en)")  # the first is the default language

# Workbook timestamps and zip entry times are fixed so that an unchanged build gives the same bytes.
_STAMP = datetime(2026, 1, 1)  # naive UTC, as openpyxl writes it
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

Text = tuple[str, str]
"""(Tiếng Việt, English)."""


@dataclass(frozen=True)
class Row:
    """One row of the `survey` sheet."""

    type: str
    name: str = ""
    label: Text | None = None
    hint: Text | None = None
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    message: Text | None = None  # constraint_message
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    choice_filter: str = ""


Rows = tuple[Row, ...]
Choice = tuple[str, str, str]
"""(value, Tiếng Việt, English)."""


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    instance_name: str
    version: str  # yyyymmddNN, the same for every shipped form (common.VERSION)
    survey: Rows
    choices: dict[str, tuple[Choice, ...]]


# ---------------------------------------------------------------------------------------------
# Small helpers: rows and XPath


def flatten(*parts: Row | Rows) -> Rows:
    rows: list[Row] = []
    for part in parts:
        rows.extend([part] if isinstance(part, Row) else part)
    return tuple(rows)


def group(
    name: str, label: Text, *rows: Row | Rows, appearance: str = "field-list", relevant: str = ""
) -> Rows:
    """A group; `field-list` shows its questions on one screen; `relevant` asks it only then."""
    begin = Row("begin group", name, label, appearance=appearance, relevant=relevant)
    return flatten(begin, *rows, Row("end group"))


def repeat(name: str, label: Text, *rows: Row | Rows, appearance: str = "field-list") -> Rows:
    begin = Row("begin repeat", name, label, appearance=appearance)
    return flatten(begin, *rows, Row("end repeat"))


def calc(name: str, expression: str) -> Row:
    return Row("calculate", name, calculation=expression)


def flag(condition: str) -> str:
    """1 when the condition holds, else 0."""
    return f"if({condition}, 1, 0)"


def one_of(reference: str, values: Iterable[str]) -> str:
    """The select_one `reference` has one of `values` (false when it is empty)."""
    return "(" + " or ".join(f"{reference} = '{value}'" for value in values) + ")"


# ---------------------------------------------------------------------------------------------
# Writing the workbooks


def _translated(column: str) -> list[str]:
    return [f"{column}::{language}" for language in LANGUAGES]


SURVEY_HEADER = [
    "type",
    "name",
    *_translated("label"),
    *_translated("hint"),
    "required",
    "relevant",
    "constraint",
    *_translated("constraint_message"),
    "calculation",
    "default",
    "appearance",
    "choice_filter",
]
CHOICES_HEADER = ["list_name", "name", *_translated("label")]
SETTINGS_HEADER = ["form_id", "form_title", "version", "default_language", "instance_name"]


def _pair(text: Text | None) -> list[str]:
    return list(text) if text else ["", ""]


def survey_row(row: Row) -> list[str]:
    return [
        row.type,
        row.name,
        *_pair(row.label),
        *_pair(row.hint),
        "yes" if row.required else "",
        row.relevant,
        row.constraint,
        *_pair(row.message),
        row.calculation,
        row.default,
        row.appearance,
        row.choice_filter,
    ]


def _append(sheet: Worksheet, rows: Sequence[Sequence[str]]) -> None:
    for row in rows:
        sheet.append([value or None for value in row])  # empty cells stay empty, not ""


def workbook_bytes(form: Form) -> bytes:
    book = Workbook()
    survey = book.active
    if not isinstance(survey, Worksheet):
        raise TypeError("a new workbook has a worksheet")
    survey.title = "survey"
    _append(survey, [SURVEY_HEADER, *(survey_row(row) for row in form.survey)])
    choices = book.create_sheet("choices")
    _append(
        choices,
        [CHOICES_HEADER]
        + [[name, *choice] for name, items in form.choices.items() for choice in items],
    )
    settings = book.create_sheet("settings")
    _append(
        settings,
        [
            SETTINGS_HEADER,
            [form.form_id, form.title, form.version, LANGUAGES[0], form.instance_name],
        ],
    )
    book.properties.creator = "forms/build.py"
    book.properties.created = _STAMP
    out = io.BytesIO()
    book.save(out)
    return _reproducible(out.getvalue())


def _reproducible(xlsx: bytes) -> bytes:
    """Fix the zip entry times and the 'modified' stamp openpyxl writes on every save."""
    out = io.BytesIO()
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()
