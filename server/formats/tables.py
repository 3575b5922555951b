"""One table model for every summary and list; renderers (HTML, JSON, CSV, XLSX) read it.

Rows may be a generator (long lists stream from the database): read them once.
Values are plain: integers for counts, `Decimal` fractions for rates (0.125 is 12.5 %), strings
for text, `None` for "unknown" (shown as "—", never as 0 and never a crash).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

UNKNOWN = "—"
# A text cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CellKind(enum.StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    AMOUNT = "amount"


class RowKind(enum.StrEnum):
    ITEM = "item"
    BLOCK = "block"
    SUBTOTAL = "subtotal"
    TOTAL = "total"


class Words(str):
    """A label the table itself writes (a block, subtotal or total row) in both languages:
    each renderer shows it in the reader's language, as it does the headings. It is the
    Vietnamese string itself, so it compares, sorts and hashes as that text."""

    en: str

    def __new__(cls, vi: str, en: str) -> Words:
        words = super().__new__(cls, vi)
        words.en = en
        return words

    def text(self, language: str) -> str:
        return self.en if language == "en" else str(self)


TOTAL = Words("Tổng cộng", "Total")


class Layout(enum.StrEnum):
    """What a table is for on paper and in Excel."""

    REPORT = "report"  # an official table: printed on A4 and signed (place, date, signatures)
    LIST = "list"  # a working list: filtered and sorted in Excel (autofilter), not signed


# The level words an area's name starts with; a place line ("Cam Lộ, ngày … tháng … năm …")
# names the place without them, as Vietnamese official tables do.
_LEVEL_WORDS = (
    "Thành phố ", "Thị trấn ", "Thị xã ", "Tổ dân phố ", "Đặc khu ", "Huyện ", "Tỉnh ",
    "Quận ", "Phường ", "Xã ", "Thôn ", "Bản ", "Khu phố ",
)  # fmt: skip


def place_name(area_name: str) -> str:
    """"Huyện Cam Lộ" → "Cam Lộ": the area's name as the place line of a signed table says it."""
    for word in _LEVEL_WORDS:
        if area_name.startswith(word) and len(area_name) > len(word):
            return area_name[len(word) :]
    return area_name


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: CellKind = CellKind.COUNT
    group_vi: str = ""
    group_en: str = ""

    def heading(self, language: str) -> str:
        return self.en if language == "en" else self.vi

    def group(self, language: str) -> str:
        return self.group_en if language == "en" else self.group_vi


@dataclass(frozen=True)
class Row:
    cells: Mapping[str, object]
    kind: RowKind = RowKind.ITEM


@dataclass(frozen=True)
class Table:
    key: str
    title_vi: str
    title_en: str
    subtitle_vi: str
    subtitle_en: str
    columns: tuple[Column, ...]
    rows: Iterable[Row]
    layout: Layout = Layout.REPORT
    place: str = ""  # where a report is signed (place_name of its area); "" for none

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    def subtitle(self, language: str) -> str:
        return self.subtitle_en if language == "en" else self.subtitle_vi

    def group_spans(self, language: str) -> list[tuple[str, int]]:
        """The group headings over the columns, each with how many neighbouring columns it
        spans ("" over a column without a group), for a merged heading cell."""
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            text = column.group(language)
            if spans and text and spans[-1][0] == text:
                spans[-1] = (text, spans[-1][1] + 1)
            else:
                spans.append((text, 1))
        return spans


def rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    """A share of resident households; unknown when either side is unknown or zero."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as typed: a leading formula character gets an apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def display(value: object, kind: CellKind, language: str = "vi") -> str:
    """The text of a cell for CSV and HTML (numbers without grouping, rates in per cent)."""
    if isinstance(value, Words):
        return value.text(language)
    # Compared with ==: templates pass the kind as its plain string ('percent').
    if value is None:
        return UNKNOWN if kind != CellKind.TEXT else ""
    if kind == CellKind.PERCENT and isinstance(value, Decimal):
        return f"{(value * 100).quantize(Decimal('0.1'))}"
    if kind in (CellKind.COUNT, CellKind.AMOUNT) and isinstance(value, (int, Decimal)):
        return str(int(value))
    return str(value)
