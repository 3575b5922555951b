"""Tables as files for Excel: CSV (UTF-8 with BOM) and XLSX (streamed, one sheet per table).

Both write text cells so that nothing in them can run as a formula: in CSV a leading `=`, `+`,
`-` or `@` gets an apostrophe; in XLSX every text cell is stored as a string, which Excel never
evaluates. XLSX keeps numbers as numbers with number and percent formats, a title row naming
area, period and standard, frozen heading rows and a border on every cell. Every sheet prints on
A4 landscape, one page wide, its headings repeated on each page; a report (Layout.REPORT with a
place) ends with the place-and-date line and room for both signatures, as Vietnamese official
tables do; a list (Layout.LIST) has an autofilter instead.

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
    Layout,
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


def _rate_suffix(column: Column) -> str:
    return " (%)" if column.kind is CellKind.PERCENT else ""


def _csv_heading(column: Column, language: str) -> str:
    suffix = _rate_suffix(column)
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
    """The workbook's cell formats, made once each: XlsxWriter wants one object per style.
    Every cell of a table has a thin border, as a printed official table has."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True})
        self.heading = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", "border": 1}
        )
        self.group = self.heading
        self.place = book.add_format({"italic": True, "align": "center"})
        self.signer = book.add_format({"bold": True, "align": "center"})
        self.how = book.add_format({"italic": True, "align": "center", "font_size": 9})
        self._cells: dict[tuple[RowKind, CellKind], Any] = {}

    def cell(self, row: RowKind, column: CellKind) -> Any:
        """The format of a cell: the number format of its column, bold and filled in a
        subtotal, total or block row, a border always."""
        key = (row, column)
        if key not in self._cells:
            style: dict[str, object] = {"border": 1, "valign": "top"}
            if column in NUMBER_FORMATS:
                style["num_format"] = NUMBER_FORMATS[column]
            else:
                style["text_wrap"] = True
            if row in _BOLD_KINDS:
                style |= {"bold": True, "pattern": 1, "bg_color": f"#{_FILL[row]}"}
            self._cells[key] = self.book.add_format(style)
        return self._cells[key]


# The block under a signed table, as Vietnamese official tables carry it: the place and date
# over the head of the unit, and room to sign under both signers.
_SIGNERS = {
    "vi": (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")),
    "en": (("PREPARED BY", "(signature and full name)"), ("HEAD OF UNIT", "(signature and seal)")),
}
_PLACE_AND_DATE = {
    "vi": "{place}, ngày …… tháng …… năm ……",
    "en": "{place}, date ……………………",
}
_ROOM_TO_SIGN = 4  # empty rows under the signers' names
A4 = 9  # XlsxWriter's paper code


def _print_setup(sheet: Any, heading_first: int, heading_last: int) -> None:
    """A4 landscape, fitted to the page width (as many pages down as it takes), the heading
    rows repeated on every page, page numbers in the footer."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(heading_first, heading_last)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&C&P / &N")


def _signature_block(
    sheet: Any, formats: _Formats, first_row: int, columns: int, table: Table, language: str
) -> None:
    words = "en" if language == "en" else "vi"
    left_end = max(columns // 2 - 1, 0)
    right_start = left_end + 1 if columns > 1 else 0
    right_end = max(columns - 1, right_start)

    def across(row: int, first: int, last: int, text: str, style: Any) -> None:
        if last > first:
            sheet.merge_range(row, first, row, last, text, style)
        else:
            sheet.write_string(row, first, text, style)

    place = _PLACE_AND_DATE[words].format(place=table.place)
    across(first_row, right_start, right_end, place, formats.place)
    (left_name, left_how), (right_name, right_how) = _SIGNERS[words]
    across(first_row + 1, 0, left_end, left_name, formats.signer)
    across(first_row + 1, right_start, right_end, right_name, formats.signer)
    across(first_row + 2, 0, left_end, left_how, formats.how)
    across(first_row + 2, right_start, right_end, right_how, formats.how)
    for room in range(first_row + 3, first_row + 3 + _ROOM_TO_SIGN):
        sheet.set_row(room, 18)


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
    sheet.write_string(1, 0, table.subtitle(language), formats.subtitle)
    if has_groups:
        first = 0
        for text, span in table.group_spans(language):
            if span > 1:  # one merged cell over the group's columns, as printed reports have
                sheet.merge_range(2, first, 2, first + span - 1, text, formats.group)
            else:
                heading_cell(2, first, text)
            first += span
    heading_row(heading_rows - 1, [c.heading(language) + _rate_suffix(c) for c in columns])
    _print_setup(sheet, 2, heading_rows - 1)

    write_string, write_number, write_blank = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_blank,
    )
    keyed = [(index, column.key, column.kind) for index, column in enumerate(columns)]
    styles = {kind: [formats.cell(kind, c.kind) for c in columns] for kind in RowKind}
    plain = {kind: formats.cell(kind, CellKind.TEXT) for kind in RowKind}
    last = heading_rows - 1
    for number, row in enumerate(table.rows, start=heading_rows):
        last = number
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
    if table.layout is Layout.LIST:
        sheet.autofilter(heading_rows - 1, 0, max(last, heading_rows - 1), len(columns) - 1)
    elif table.place:
        _signature_block(sheet, formats, last + 2, len(columns), table, language)


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
