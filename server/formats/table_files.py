"""Tables as files for Excel: CSV (UTF-8 with BOM) and XLSX (streamed, one sheet per table).

Both write text cells so that nothing in them can run as a formula: in CSV a leading `=`, `+`,
`-` or `@` gets an apostrophe; in XLSX every text cell is stored as a string, which Excel never
evaluates. XLSX keeps numbers as numbers with number and percent formats, a title row naming
area, period and standard, and frozen heading rows.

XLSX is written by XlsxWriter in `constant_memory` mode: each row goes to a temporary file as
soon as the next one starts, so memory stays flat for a list of 100,000 households, and its
XML writing is several times faster than openpyxl's (bench/tables.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

from server.formats.tables import (
    UNKNOWN,
    CellKind,
    Column,
    Row,
    RowKind,
    Table,
    Words,
    display,
    safe_text,
)

BOM = "\ufeff"
NUMBER_FORMATS = {CellKind.COUNT: "#,##0", CellKind.AMOUNT: "#,##0", CellKind.PERCENT: "0.0%"}
_BOLD_KINDS = (RowKind.SUBTOTAL, RowKind.TOTAL, RowKind.BLOCK)
_FILL = {RowKind.TOTAL: "DDE5F0", RowKind.SUBTOTAL: "EEF2F7", RowKind.BLOCK: "F6F6F6"}
_SHEET_NAME_MAX = 31


def _csv_heading(column: Column, language: str) -> str:
    suffix = " (%)" if column.kind is CellKind.PERCENT else ""
    group = column.group(language)
    return (
        f"{group} – {column.heading(language)}{suffix}"
        if group
        else f"{column.heading(language)}{suffix}"
    )


def write_csv(table: Table, out: IO[str], language: str = "vi", *, excel_vi: bool = False) -> None:
    """CSV with a BOM so Excel reads the Vietnamese; rates in per cent, unknown as "—".

    By default the numbers are machine-readable (`12.6`, no grouping) with `,` between cells.
    `excel_vi` writes what Excel set to Vietnamese opens as numbers: `;` between cells and `,`
    as the decimal mark (`12,6`), still without grouping so nothing reads a count as a fraction.
    """
    out.write(BOM)
    writer = csv.writer(out, delimiter=";" if excel_vi else ",", lineterminator="\r\n")
    writer.writerow([_csv_heading(c, language) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row, c, language, excel_vi) for c in table.columns])


def _csv_cell(row: Row, column: Column, language: str, excel_vi: bool = False) -> str:
    if row.kind is RowKind.BLOCK and column.key not in row.cells:
        return ""  # a block heading has only its label
    text = display(row.cells.get(column.key), column.kind, language)
    if excel_vi and column.kind is not CellKind.TEXT and text != UNKNOWN:
        text = text.replace(".", ",")  # a number: the decimal mark of Vietnamese Excel
    return safe_text(text)


def csv_bytes(table: Table, language: str = "vi", *, excel_vi: bool = False) -> bytes:
    out = io.StringIO()
    write_csv(table, out, language, excel_vi=excel_vi)
    return out.getvalue().encode("utf-8")


class _Formats:
    """The workbook's cell formats, made once each: XlsxWriter wants one object per style."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.group = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "align": "center", "border": 1}
        )
        self._cells: dict[tuple[RowKind, CellKind], Any] = {}

    def cell(self, row: RowKind, column: CellKind) -> Any:
        """The format of a cell: the number format of its column, bold and filled in a
        subtotal, total or block row; None (the default style) for text in an ordinary row."""
        key = (row, column)
        if key not in self._cells:
            style: dict[str, object] = {}
            if column in NUMBER_FORMATS:
                style["num_format"] = NUMBER_FORMATS[column]
            if row in _BOLD_KINDS:
                style |= {"bold": True, "pattern": 1, "bg_color": f"#{_FILL[row]}"}
            self._cells[key] = self.book.add_format(style) if style else None
        return self._cells[key]


def _sheet_name(table: Table, taken: set[str]) -> str:
    """The table's key, cut to Excel's 31 characters and made unique in the workbook."""
    name, number = table.key[:_SHEET_NAME_MAX], 1
    while name.lower() in taken:
        suffix = str(number)
        name, number = table.key[: _SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _add_sheet(book: Any, formats: _Formats, name: str, table: Table, language: str) -> None:
    sheet = book.add_worksheet(name)
    columns = table.columns
    has_groups = any(c.group(language) for c in columns)
    heading_rows = 3 + (1 if has_groups else 0)
    sheet.freeze_panes(heading_rows, 1)  # below the headings, right of the first column
    for index, column in enumerate(columns):
        width = 32 if index == 0 else (24 if column.kind is CellKind.TEXT else 13)
        sheet.set_column(index, index, width)

    def heading_cell(number: int, index: int, text: str) -> None:
        if text:
            sheet.write_string(number, index, text, formats.heading)
        else:
            sheet.write_blank(number, index, None, formats.heading)

    def heading_row(number: int, texts: Iterable[str]) -> None:
        for index, text in enumerate(texts):
            heading_cell(number, index, text)

    sheet.write_string(0, 0, table.title(language), formats.title)
    heading_row(1, [table.subtitle(language)])
    if has_groups:
        first = 0
        for text, span in table.group_spans(language):
            if span > 1:  # one merged cell over the group's columns, as printed reports have
                sheet.merge_range(2, first, 2, first + span - 1, text, formats.group)
            else:
                heading_cell(2, first, text)
            first += span
    heading_row(heading_rows - 1, [c.heading(language) for c in columns])

    write_string, write_number, write_blank = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_blank,
    )
    keyed = [(index, column.key, column.kind) for index, column in enumerate(columns)]
    styles = {kind: [formats.cell(kind, c.kind) for c in columns] for kind in RowKind}
    plain = {kind: formats.cell(kind, CellKind.TEXT) for kind in RowKind}
    for number, row in enumerate(table.rows, start=heading_rows):
        kind, cells = row.kind, row.cells
        for (index, key, column_kind), style in zip(keyed, styles[kind], strict=True):
            value = cells.get(key)
            if value is None:
                if kind is RowKind.BLOCK or column_kind is CellKind.TEXT:
                    write_blank(number, index, None, style)  # a block heading: only its label
                else:
                    write_string(number, index, UNKNOWN, plain[kind])
            elif column_kind is CellKind.TEXT or not isinstance(value, (int, Decimal)):
                # Always a string, even when it starts with "=": never a formula.
                text = value.text(language) if isinstance(value, Words) else str(value)
                write_string(number, index, text, style)
            else:
                write_number(
                    number, index, float(value) if isinstance(value, Decimal) else value, style
                )


def write_xlsx(tables: Iterable[Table], out: IO[bytes], language: str = "vi") -> None:
    """One sheet per table, streamed: rows are read once, each written out as the next one
    starts (XlsxWriter's constant_memory mode), so memory stays flat for long lists."""
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # Belt and braces: only write_string/write_number are called, which never convert.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats, taken = _Formats(book), set[str]()
    for table in tables:
        _add_sheet(book, formats, _sheet_name(table, taken), table, language)
    book.close()
