"""Tables as Excel files: Vietnamese that opens right, numbers that stay numbers, rates as
percentages, "—" for unknown, and nothing that can run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import (
    CellKind,
    Column,
    Layout,
    Row,
    RowKind,
    Table,
    display,
    place_name,
    rate,
)

COLUMNS = (
    Column("label", "Đơn vị", "Unit", CellKind.TEXT),
    Column("residents", "Tổng số hộ dân cư", "Resident households"),
    Column("poor", "Số hộ", "Households", group_vi="Hộ nghèo cuối kỳ", group_en="Poor at end"),
    Column("poor_rate", "Tỷ lệ", "Rate", CellKind.PERCENT, "Hộ nghèo cuối kỳ", "Poor at end"),
)


def table() -> Table:
    return Table(
        key="summary",
        title_vi="Tổng hợp kết quả rà soát",
        title_en="Review summary",
        subtitle_vi="Huyện Cam Lộ — năm 2026 — NĐ 07/2021",
        subtitle_en="Cam Lộ district — 2026 — Decree 07/2021",
        columns=COLUMNS,
        rows=[
            Row(
                {"label": "Xã Cam Tuyền", "residents": 600, "poor": 75, "poor_rate": rate(75, 600)}
            ),
            Row(
                {
                    "label": '=HYPERLINK("http://x")',
                    "residents": None,
                    "poor": 3,
                    "poor_rate": rate(3, None),
                }
            ),
            Row(
                {"label": "Tổng cộng", "residents": 600, "poor": 78, "poor_rate": rate(78, 600)},
                RowKind.TOTAL,
            ),
        ],
    )


def test_the_csv_has_a_bom_vietnamese_headings_percentages_and_a_dash_for_unknown() -> None:
    data = csv_bytes(table())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Đơn vị",
        "Tổng số hộ dân cư",
        "Hộ nghèo cuối kỳ – Số hộ",
        "Hộ nghèo cuối kỳ – Tỷ lệ (%)",
    ]
    assert rows[1] == ["Xã Cam Tuyền", "600", "75", "12.5"]
    assert rows[2][1:] == ["—", "3", "—"]


def test_a_csv_cell_that_looks_like_a_formula_is_neutralised() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(table()).decode("utf-8-sig"))))
    assert rows[2][0] == '\'=HYPERLINK("http://x")'


def test_the_csv_can_be_written_in_english() -> None:
    header = csv_bytes(table(), "en").decode("utf-8-sig").splitlines()[0]
    assert header == "Unit,Resident households,Poor at end – Households,Poor at end – Rate (%)"


def test_the_xlsx_has_a_title_row_headings_number_formats_and_frozen_headings() -> None:
    out = io.BytesIO()
    write_xlsx([table()], out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["summary"]

    assert sheet["A1"].value == "Tổng hợp kết quả rà soát"
    assert sheet["A2"].value == "Huyện Cam Lộ — năm 2026 — NĐ 07/2021"
    assert [c.value for c in sheet[3]] == [None, None, "Hộ nghèo cuối kỳ", None]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["C3:D3"], "one heading over its group"
    assert [c.value for c in sheet[4]] == ["Đơn vị", "Tổng số hộ dân cư", "Số hộ", "Tỷ lệ (%)"]
    assert sheet.freeze_panes == "B5"
    assert (sheet["B5"].value, sheet["B5"].number_format) == (600, "#,##0")
    assert sheet["D5"].value == 0.125
    assert sheet["D5"].number_format == "0.0%"
    assert sheet["B6"].value == "—"
    assert sheet["A7"].font.bold, "the total row stands out"


def test_an_xlsx_text_cell_that_looks_like_a_formula_stays_text() -> None:
    out = io.BytesIO()
    write_xlsx([table()], out)
    cell = load_workbook(io.BytesIO(out.getvalue()))["summary"]["A6"]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"


def test_a_block_heading_row_carries_only_its_label() -> None:
    blocked = Table(
        "t",
        "T",
        "T",
        "",
        "",
        COLUMNS,
        [
            Row({"label": "Khu vực nông thôn / Rural"}, RowKind.BLOCK),
            Row({"label": "Xã A", "residents": None, "poor": 1, "poor_rate": None}),
        ],
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(blocked).decode("utf-8-sig"))))
    assert rows[1] == ["Khu vực nông thôn / Rural", "", "", ""]
    assert rows[2] == ["Xã A", "—", "1", "—"]
    out = io.BytesIO()
    write_xlsx([blocked], out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["t"]
    assert [c.value for c in sheet[5]] == ["Khu vực nông thôn / Rural", None, None, None]


def test_a_rate_shows_as_a_rounded_percentage_whether_its_kind_comes_as_enum_or_as_text() -> None:
    tiny = rate(1, 4488)
    assert display(tiny, CellKind.PERCENT) == "0.0"
    assert display(tiny, "percent") == "0.0"  # the way the home page's template names it
    assert display(rate(1, 3), "percent") == "33.3"
    assert display(None, "percent") == "—"
    assert display(None, "text") == ""


def test_neighbouring_columns_of_one_group_share_one_heading() -> None:
    table = Table(
        "t",
        "T",
        "T",
        "",
        "",
        (
            Column("label", "Đơn vị", "Unit", CellKind.TEXT),
            Column("a", "Số hộ", "Households", CellKind.COUNT, "Hộ nghèo", "Poor"),
            Column("b", "Tỷ lệ", "Rate", CellKind.PERCENT, "Hộ nghèo", "Poor"),
            Column("c", "Số hộ", "Households", CellKind.COUNT, "Hộ cận nghèo", "Near-poor"),
        ),
        [],
    )
    assert table.group_spans("vi") == [("", 1), ("Hộ nghèo", 2), ("Hộ cận nghèo", 1)]
    assert table.group_spans("en") == [("", 1), ("Poor", 2), ("Near-poor", 1)]


def workbook_of(table: Table, language: str = "vi") -> Any:
    out = io.BytesIO()
    write_xlsx([table], out, language)
    return load_workbook(io.BytesIO(out.getvalue()))[table.key]


def test_a_report_prints_on_a4_landscape_fitted_to_width_with_its_headings_on_every_page() -> None:
    sheet = workbook_of(replace(table(), place="Cam Lộ"))

    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # one page wide (1 is OOXML's default)
    assert sheet.page_setup.fitToHeight == 0  # as many pages down as it takes
    assert sheet.print_title_rows == "$3:$4"  # the group and column headings
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [
        pytest.approx(w, abs=1) for w in (32, 13, 13, 13)
    ]
    for row in sheet.iter_rows(min_row=3, max_row=7):
        for cell in row:
            if isinstance(cell, MergedCell):
                continue  # openpyxl reads no style on the covered cells of a merged heading
            assert cell.border.left.style == "thin", f"{cell.coordinate} has a border"
            assert cell.border.bottom.style == "thin", f"{cell.coordinate} has a border"


def test_a_report_ends_with_the_place_and_date_and_room_for_both_signatures() -> None:
    vi = workbook_of(replace(table(), place="Cam Lộ"))
    en = workbook_of(replace(table(), place="Cam Lộ"), "en")

    # Rows 5–7 are the table; row 8 stays empty; the block starts on row 9.
    assert vi["C9"].value == "Cam Lộ, ngày …… tháng …… năm ……"
    assert (vi["A10"].value, vi["C10"].value) == ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
    assert (vi["A11"].value, vi["C11"].value) == ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)")
    assert {"A10:B10", "C10:D10", "C9:D9"} <= {str(r) for r in vi.merged_cells.ranges}
    assert all(vi.cell(row, 1).value is None for row in range(12, 16)), "room to sign"
    assert (en["A10"].value, en["C10"].value) == ("PREPARED BY", "HEAD OF UNIT")
    assert en["C9"].value.startswith("Cam Lộ, date")


def test_a_list_has_an_autofilter_over_its_headings_and_rows_and_no_signatures() -> None:
    sheet = workbook_of(replace(table(), layout=Layout.LIST, place=""))

    assert sheet.auto_filter.ref == "A4:D7"
    assert sheet.freeze_panes == "B5"
    assert all(sheet.cell(row, 1).value is None for row in range(8, 14))


def test_the_place_line_names_the_place_without_its_level_word() -> None:
    assert [place_name(n) for n in ("Huyện Cam Lộ", "Xã Cam Tuyền", "Thị trấn Cam Lộ")] == [
        "Cam Lộ",
        "Cam Tuyền",
        "Cam Lộ",
    ]
    assert place_name("Cam Lộ") == "Cam Lộ"
