"""The poverty tables as an OData v4 service (`reports.svc`): one entity set per table, its
rows typed from the table's columns, and the `$metadata` (EDMX) that names each column's type
and, as `Core.Description`, its Vietnamese heading. Pure: the tables come built
(`formats.tables.Table`), the sets come described (`ReportSet`).

A row of a set is a row of the table as the page shows it (block, subtotal and total rows
included, in the table's order), with the columns a spreadsheet needs to filter and sort it:
`__id` (the key), `__row` (its place in the table), `__kind` (item, block, subtotal, total),
`area` (the code of the area the table is of) and, for a table of one review year, `period`.
The set `TenCot` (column names) lists every set's columns with their headings in Vietnamese
and English, for a workbook to look them up."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import quoteattr

from server.formats.tables import CellKind, Column, Row, Table, Words

NAMESPACE = "rasoat.reports"
COLUMN_NAMES = "TenCot"  # the set of every set's column headings
_EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
_VOCABULARIES = "http://docs.oasis-open.org/odata/odata/v4.0/os/vocabularies"
_CAP = "Org.OData.Capabilities.V1"
_EDM = {
    CellKind.TEXT: "Edm.String",
    CellKind.COUNT: "Edm.Int64",
    CellKind.PERCENT: "Edm.Decimal",  # a fraction: 0.125 is 12.5 %
    CellKind.AMOUNT: "Edm.Decimal",
}
# The columns every row has before the table's own: (name, EDM type, heading vi, heading en).
_ROW_COLUMNS = (
    ("__id", "Edm.String", "Mã dòng", "Row key"),
    ("__row", "Edm.Int64", "Thứ tự dòng trong bảng", "Row number in the table"),
    ("__kind", "Edm.String", "Loại dòng (item, block, subtotal, total)", "Row kind"),
    ("area", "Edm.String", "Mã đơn vị của bảng", "The table's area code"),
)
_PERIOD = ("period", "Edm.Int64", "Năm rà soát", "Review year")
_NAME_COLUMNS = (
    ("__id", "Edm.String"),
    ("set", "Edm.String"),
    ("column", "Edm.String"),
    ("type", "Edm.String"),
    ("heading_vi", "Edm.String"),
    ("heading_en", "Edm.String"),
    ("group_vi", "Edm.String"),
    ("group_en", "Edm.String"),
)
# Reserved for the rows' own columns: a table column of one of these names would hide it.
RESERVED = frozenset(name for name, *_ in (*_ROW_COLUMNS, _PERIOD))


@dataclass(frozen=True)
class ReportSet:
    """One entity set: its name in the URL, the table's title, its columns (every column any
    of its tables may have: a summary's columns follow the standard of its year), whether it
    is of one review year."""

    name: str
    title_vi: str
    title_en: str
    columns: tuple[Column, ...]
    yearly: bool

    def head(self) -> tuple[tuple[str, str, str, str], ...]:
        return (*_ROW_COLUMNS, _PERIOD) if self.yearly else _ROW_COLUMNS


def union_of(*column_lists: Iterable[Column]) -> tuple[Column, ...]:
    """The columns of several tables in first-seen order, each key once."""
    seen: dict[str, Column] = {}
    for columns in column_lists:
        for column in columns:
            seen.setdefault(column.key, column)
    return tuple(seen.values())


def _caption(column: Column) -> tuple[str, str]:
    if column.group_vi:
        return f"{column.group_vi}: {column.vi}", f"{column.group_en}: {column.en}"
    return column.vi, column.en


def _value(value: object, kind: CellKind) -> Any:
    """A cell as JSON: the table's own labels in Vietnamese, rates and amounts as numbers
    (rates with 6 decimals, as the JSON API gives them), unknown as null."""
    if isinstance(value, Words):
        return str(value)
    if isinstance(value, Decimal):
        if kind == CellKind.COUNT:
            return int(value)
        return round(float(value), 6)
    return value


@dataclass(frozen=True)
class RowPlace:
    """Which table a row belongs to (its area and year) and where in it it stands."""

    area: str
    period: int | None
    position: int  # from 1


def feed_row(report: ReportSet, row: Row, place: RowPlace) -> dict[str, Any]:
    key = "-".join(str(p) for p in (place.area, place.period, place.position) if p is not None)
    out: dict[str, Any] = {
        "__id": key,
        "__row": place.position,
        "__kind": str(row.kind),
        "area": place.area,
    }
    if report.yearly:
        out["period"] = place.period
    for column in report.columns:
        out[column.key] = _value(row.cells.get(column.key), column.kind)
    return out


def feed_rows(
    report: ReportSet, table: Table, area: str, period: int | None
) -> Iterator[dict[str, Any]]:
    """The table's rows, in order, as the set's entities (read once: rows may stream)."""
    for position, row in enumerate(table.rows, start=1):
        yield feed_row(report, row, RowPlace(area, period, position))


def column_names(reports: Iterable[ReportSet]) -> list[dict[str, Any]]:
    """The rows of `TenCot`: every set's columns with their types and headings."""
    out: list[dict[str, Any]] = []
    for report in reports:
        head = [(name, edm, vi, en, "", "") for name, edm, vi, en in report.head()]
        own = [
            (c.key, _EDM[c.kind], *_caption(c), c.group_vi, c.group_en) for c in report.columns
        ]
        for name, edm, vi, en, group_vi, group_en in (*head, *own):
            out.append(
                {
                    "__id": f"{report.name}/{name}",
                    "set": report.name,
                    "column": name,
                    "type": edm,
                    "heading_vi": vi,
                    "heading_en": en,
                    "group_vi": group_vi,
                    "group_en": group_en,
                }
            )
    return out


def _described(name: str, edm: str, vi: str, en: str) -> list[str]:
    return [
        f"<Property Name={quoteattr(name)} Type={quoteattr(edm)}"
        + (' Scale="variable">' if edm == "Edm.Decimal" else ">"),
        f'<Annotation Term="Core.Description" String={quoteattr(vi)}/>',
        f'<Annotation Term="Core.LongDescription" String={quoteattr(en)}/>',
        "</Property>",
    ]


def _entity_type(report: ReportSet) -> list[str]:
    lines = [
        f"<EntityType Name={quoteattr(report.name)}>",
        '<Key><PropertyRef Name="__id"/></Key>',
    ]
    for name, edm, vi, en in report.head():
        lines += _described(name, edm, vi, en)
    for column in report.columns:
        lines += _described(column.key, _EDM[column.kind], *_caption(column))
    lines.append("</EntityType>")
    return lines


def _names_type() -> list[str]:
    return [
        f'<EntityType Name="{COLUMN_NAMES}">',
        '<Key><PropertyRef Name="__id"/></Key>',
        *(f'<Property Name="{name}" Type="{edm}"/>' for name, edm in _NAME_COLUMNS),
        "</EntityType>",
    ]


def _annotations(report: ReportSet) -> list[str]:
    """The set's title, and what it answers: a count, a filter (area, period), no sorting."""
    return [
        f'<Annotations Target="{NAMESPACE}.Reports/{report.name}">',
        f'<Annotation Term="Core.Description" String={quoteattr(report.title_vi)}/>',
        f'<Annotation Term="Core.LongDescription" String={quoteattr(report.title_en)}/>',
        f'<Annotation Term="{_CAP}.CountRestrictions"><Record>'
        '<PropertyValue Property="Countable" Bool="true"/></Record></Annotation>',
        f'<Annotation Term="{_CAP}.SortRestrictions"><Record>'
        '<PropertyValue Property="Sortable" Bool="false"/></Record></Annotation>',
        "</Annotations>",
    ]


def metadata_document(reports: Iterable[ReportSet]) -> str:
    """The EDMX of the service: one entity type and set per report, and `TenCot`."""
    sets = list(reports)
    types = [line for report in sets for line in _entity_type(report)]
    entity_sets = [
        f'<EntitySet Name="{name}" EntityType="{NAMESPACE}.{name}"/>'
        for name in (*(r.name for r in sets), COLUMN_NAMES)
    ]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
            f'<edmx:Reference Uri="{_VOCABULARIES}/Org.OData.Core.V1.xml">',
            '<edmx:Include Alias="Core" Namespace="Org.OData.Core.V1"/>',
            "</edmx:Reference>",
            f'<edmx:Reference Uri="{_VOCABULARIES}/{_CAP}.xml">',
            '<edmx:Include Alias="Capabilities" Namespace="Org.OData.Capabilities.V1"/>',
            "</edmx:Reference>",
            "<edmx:DataServices>",
            f'<Schema xmlns="{_EDM_NS}" Namespace="{NAMESPACE}">',
            *types,
            *_names_type(),
            '<EntityContainer Name="Reports">',
            *entity_sets,
            "</EntityContainer>",
            *(line for report in sets for line in _annotations(report)),
            "</Schema>",
            "</edmx:DataServices>",
            "</edmx:Edmx>",
        ]
    )
