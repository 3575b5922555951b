"""Tables as files for Excel: CSV (UTF-8 with BOM) and XLSX (streamed, one sheet per table).

Both write text cells so that nothing in them can run as a formula: in CSV a leading `=`, `+`,
`-` or `@` gets an apostrophe; in XLSX every text cell is stored as a string, which Excel never
evaluates. XLSX keeps numbers as numbers with number and percent formats, a title row naming
area, period and standard, and frozen heading rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.formats.tables import (
    UNKNOWN,
    CellKind,
    Column,
    Row,
    RowKind,
    Table,
    display,
    safe_text,
)

BOM = "\ufeff"
NUMBER_FORMATS = {CellKind.COUNT: "#,##0", CellKind.AMOUNT: "#,##0", CellKind.PERCENT: "0.0%"}
_BOLD_KINDS = (RowKind.SUBTOTAL, RowKind.TOTAL, RowKind.BLOCK)
_FILL = {RowKind.TOTAL: "DDE5F0", RowKind.SUBTOTAL: "EEF2F7", RowKind.BLOCK: "F6F6F6"}


def _csv_heading(column: Column, language: str) -> str:
    suffix = " (%)" if column.kind is CellKind.PERCENT else ""
    group = column.group(language)
    return (
        f"{group} – {column.heading(language)}{suffix}"
        if group
        else f"{column.heading(language)}{suffix}"
    )


def write_csv(table: Table, out: IO[str], language: str = "vi") -> None:
    """CSV with a BOM so Excel reads the Vietnamese; rates in per cent, unknown as "—"."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_heading(c, language) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row, c) for c in table.columns])


def _csv_cell(row: Row, column: Column) -> str:
    if row.kind is RowKind.BLOCK and column.key not in row.cells:
        return ""  # a block heading has only its label
    return safe_text(display(row.cells.get(column.key), column.kind))


def csv_bytes(table: Table, language: str = "vi") -> bytes:
    out = io.StringIO()
    write_csv(table, out, language)
    return out.getvalue().encode("utf-8")


def _cell(sheet: Any, value: object, column: Column, kind: RowKind) -> WriteOnlyCell:
    if value is None and kind is RowKind.BLOCK:
        cell = WriteOnlyCell(sheet, None)  # a block heading has only its label
    elif value is None:
        cell = WriteOnlyCell(sheet, UNKNOWN if column.kind is not CellKind.TEXT else None)
    elif column.kind is CellKind.TEXT or not isinstance(value, (int, Decimal)):
        cell = WriteOnlyCell(sheet, str(value))
        cell.data_type = "s"  # a string, even when it starts with "=": never a formula
    else:
        cell = WriteOnlyCell(sheet, float(value) if isinstance(value, Decimal) else value)
        cell.number_format = NUMBER_FORMATS[column.kind]
    if kind in _BOLD_KINDS:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_FILL[kind])
    return cell


def _heading_cells(sheet: Any, texts: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _add_sheet(book: Workbook, table: Table, language: str) -> None:
    sheet = book.create_sheet(title=table.key[:31])
    has_groups = any(c.group(language) for c in table.columns)
    heading_rows = 3 + (1 if has_groups else 0)
    sheet.freeze_panes = f"B{heading_rows + 1}"
    for index, column in enumerate(table.columns, start=1):
        width = 32 if index == 1 else (24 if column.kind is CellKind.TEXT else 13)
        sheet.column_dimensions[get_column_letter(index)].width = width
    title = WriteOnlyCell(sheet, table.title(language))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(_heading_cells(sheet, [table.subtitle(language)]))
    if has_groups:
        sheet.append(_heading_cells(sheet, [c.group(language) for c in table.columns]))
    sheet.append(_heading_cells(sheet, [c.heading(language) for c in table.columns]))
    for row in table.rows:
        sheet.append([_cell(sheet, row.cells.get(c.key), c, row.kind) for c in table.columns])


def write_xlsx(tables: Iterable[Table], out: IO[bytes], language: str = "vi") -> None:
    """One sheet per table, streamed (write-only mode keeps memory flat for long lists)."""
    book = Workbook(write_only=True)
    for table in tables:
        _add_sheet(book, table, language)
    book.save(out)
