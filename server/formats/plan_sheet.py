"""The XLSX of a support plan, both ways: one row per plan item, under a row of Vietnamese
headings and a row of column codes (the import reads the codes, so a renamed heading or a
reordered column does no harm). Dates are written and read as text YYYY-MM-DD, the one format
that means the same in both languages."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from server.errors import InvalidInput


@dataclass(frozen=True)
class SheetColumn:
    code: str
    heading_vi: str


COLUMNS = (
    SheetColumn("item", "Mã mục (để trống: mục mới)"),
    SheetColumn("household", "Mã hộ"),
    SheetColumn("head", "Chủ hộ"),
    SheetColumn("indicator", "Thiếu hụt (mã chỉ số)"),
    SheetColumn("support", "Nội dung hỗ trợ"),
    SheetColumn("organisation", "Mã tổ chức phụ trách"),
    SheetColumn("organisation_name", "Tổ chức phụ trách"),
    SheetColumn("planned_date", "Ngày dự kiến (YYYY-MM-DD)"),
    SheetColumn("amount", "Số tiền/số lượng"),
    SheetColumn("unit", "Đơn vị tính"),
    SheetColumn("state", "Trạng thái"),
    SheetColumn("reason", "Lý do (nếu không thực hiện được)"),
)
CODES = tuple(c.code for c in COLUMNS)
REQUIRED = ("household", "support", "organisation", "state")
HEADER_ROWS = 2


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def write_plan(rows: Iterable[Mapping[str, object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "ke_hoach"
    sheet.append([c.heading_vi for c in COLUMNS])
    sheet.append(list(CODES))
    for row in rows:
        # Every cell as text, a date too: Excel would otherwise show it in the machine's format.
        sheet.append([_cell(row.get(code)) for code in CODES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> str | int:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return int(value)
    text = _text(value)
    # A text starting like a formula would run in a spreadsheet: quote it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@dataclass(frozen=True)
class SheetRow:
    line: int  # the row number the spreadsheet shows
    cells: Mapping[str, str]
    letters: Mapping[str, str]  # each column code's letter in the file as it came

    def field(self, code: str) -> str:
        """How a refusal names a cell: its line, its column letter and code."""
        letter = self.letters.get(code)
        return f"line {self.line}, column {letter} ({code})" if letter else f"line {self.line}"


def read_plan(data: bytes) -> list[SheetRow]:
    """The item rows of a plan workbook (blank rows skipped); refuses a file that is not one."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(field="file", detail="not an XLSX workbook") from exc
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if len(rows) < HEADER_ROWS:
        raise InvalidInput(field="line 2", detail="the row of column codes is missing")
    codes = [_text(v) for v in rows[HEADER_ROWS - 1]]
    missing = [c for c in REQUIRED if c not in codes]
    if missing:
        raise InvalidInput(field="line 2", detail=f"missing columns: {', '.join(missing)}")
    letters = {code: get_column_letter(i + 1) for i, code in enumerate(codes) if code in CODES}
    out: list[SheetRow] = []
    for line, values in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        cells = {code: _text(v).removeprefix("'") for code, v in zip(codes, values, strict=False)}
        if any(cells.values()):
            out.append(SheetRow(line, {code: cells.get(code, "") for code in CODES}, letters))
    return out
