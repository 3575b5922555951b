"""Raw exports of a form's records, pure: ODK Central's `.csv.zip` (one CSV per table, UTF-8
with BOM, `KEY`/`PARENT_KEY` joining a repeat's rows to their parent) and an XLSX with one
sheet per table joined by the same keys.

The rows are the OData feed's (`formats/odata.submission_row` and `repeat_rows`: one walk of the
XForm, typed values, repeat rows in document order); this module only lays them out as columns:
names or labels for headings and choices, a select-multiple as one column or one 0/1 column
per choice, the groups as heading prefixes ("grp-field", as Central) or not.

Memory stays flat however many records there are: the CSVs are written to temporary files as
the records stream by and then copied into the zip one after another; the XLSX is written by
XlsxWriter in `constant_memory` mode (rows flushed as the next one starts, on every sheet).
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element

import xlsxwriter

from server.formats.odata import (
    ROOT_TABLE,
    Node,
    RowContext,
    repeat_rows,
    repeat_tables,
    schema_tree,
    submission_row,
)
from server.formats.xform_outline import Question, read_outline

# Central's `__system` columns of the submissions file, after the fields (KEY first).
SYSTEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("SubmitterID", "submitterId"),
    ("SubmitterName", "submitterName"),
    ("AttachmentsPresent", "attachmentsPresent"),
    ("AttachmentsExpected", "attachmentsExpected"),
    ("Status", "status"),
    ("ReviewState", "reviewState"),
    ("DeviceID", "deviceId"),
    ("Edits", "edits"),
    ("FormVersion", "formVersion"),
)
_GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")
CSV_ZIP = "csv.zip"
CSV = "csv"  # the submissions file alone, as Central's `submissions.csv`
XLSX = "xlsx"


@dataclass(frozen=True)
class ExportOptions:
    labels: bool = False  # headings and choices by their labels (else by their names)
    split_multiples: bool = False  # a select-multiple as one 0/1 column per choice
    group_prefixes: bool = True  # "grp-field" (Central's groupPaths) or "field"
    language: str = "vi"


@dataclass(frozen=True)
class Column:
    """One column of a table: its heading, where its value lies in the typed row (OData keys,
    groups nested), the field's type, and for a part of a value (a place's latitude, one
    choice of a select-multiple) which part."""

    heading: str
    keys: tuple[str, ...]
    kind: str
    part: str = ""
    multiple: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # value → label, when labels


@dataclass(frozen=True)
class ExportTable:
    """A file of the zip (a sheet of the workbook): `<formId>` or `<formId>-<repeat>`."""

    name: str
    feed_table: str  # the OData table it comes from (Submissions, Submissions.grp.member)
    path: tuple[Node, ...]  # the repeat's path from the root (empty for Submissions)
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ExportPlan:
    """The form's tree (for the typed rows) and the tables of its export."""

    tree: tuple[Node, ...]
    tables: tuple[ExportTable, ...]


@dataclass(frozen=True)
class ExportRecord:
    """A record to export: its current XML and Central's `__system` values (feed names)."""

    instance_id: str
    xml: Element
    system: dict[str, Any]


class _Labels:
    def __init__(self, questions: tuple[Question, ...], language: str) -> None:
        self.language = language
        self.by_path: dict[str, Question] = {}
        self._index(questions)

    def _index(self, questions: tuple[Question, ...]) -> None:
        for question in questions:
            self.by_path[question.path] = question
            self._index(question.children)

    def heading(self, path: str, name: str) -> str:
        question = self.by_path.get(path)
        label = question.label.get(self.language) if question else None
        return label or name

    def choices(self, path: str) -> dict[str, str]:
        question = self.by_path.get(path)
        if question is None:
            return {}
        return {
            value: labels.get(self.language) or value for value, labels in question.choices.items()
        }

    def multiple(self, path: str) -> bool:
        question = self.by_path.get(path)
        return question is not None and question.kind == "select"


def _columns(
    nodes: tuple[Node, ...],
    prefix: tuple[tuple[str, str], ...],  # (element path, heading) of the enclosing groups
    keys: tuple[str, ...],
    labels: _Labels,
    options: ExportOptions,
) -> list[Column]:
    columns: list[Column] = []
    base = "/".join(p for p, _ in prefix)
    for node in nodes:
        path = f"{base}/{node.name}" if base else node.name
        shown = labels.heading(path, node.name) if options.labels else node.name
        if node.type == "repeat":
            continue  # a repeat is a table of its own
        if node.type == "structure":
            columns.extend(
                _columns(
                    node.children, (*prefix, (node.name, shown)), (*keys, node.key), labels, options
                )
            )
            continue
        groups = [h for _, h in prefix[len(prefix) - len(keys) :]] if keys else []
        heading = "-".join([*groups, shown]) if options.group_prefixes else shown
        where = (*keys, node.key)
        choices = labels.choices(path)
        multiple = labels.multiple(path)
        if node.type == "geopoint":
            columns.extend(Column(f"{heading}-{p}", where, node.type, p) for p in _GEO_PARTS)
        elif multiple and options.split_multiples and choices:
            for value, label in choices.items():
                shown_choice = label if options.labels else value
                columns.append(Column(f"{heading}/{shown_choice}", where, node.type, value, True))
        else:
            columns.append(
                Column(heading, where, node.type, "", multiple, choices if options.labels else {})
            )
    return columns


def export_plan(xml_form_id: str, xform: bytes, options: ExportOptions) -> ExportPlan:
    """The files (sheets) of the export: the submissions, then each repeat, outer ones first."""
    tree = schema_tree(xform)
    labels = _Labels(read_outline(xform).questions, options.language)
    root = ExportTable(xml_form_id, ROOT_TABLE, (), tuple(_columns(tree, (), (), labels, options)))
    tables = [root]
    for name, (path, repeat) in repeat_tables(tree).items():
        # A repeat's headings start below the repeat: groups outside it are the parent's.
        prefix = tuple((n.name, n.name) for n in path)
        columns = _columns(repeat.children, prefix, (), labels, options)
        tables.append(ExportTable(f"{xml_form_id}-{repeat.name}", name, path, tuple(columns)))
    return ExportPlan(tree, tuple(tables))


def headings(table: ExportTable) -> list[str]:
    if table.feed_table == ROOT_TABLE:
        system = [heading for heading, _ in SYSTEM_COLUMNS]
        return ["SubmissionDate", *(c.heading for c in table.columns), "KEY", *system]
    return [*(c.heading for c in table.columns), "PARENT_KEY", "KEY"]


def _value(row: dict[str, Any], column: Column) -> Any:
    value: Any = row
    for key in column.keys:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return None
    if column.kind == "geopoint":
        if not isinstance(value, dict):
            return value if column.part == "Latitude" else None
        lon_lat = value["coordinates"]
        parts = {
            "Latitude": lon_lat[1],
            "Longitude": lon_lat[0],
            "Altitude": lon_lat[2] if len(lon_lat) > 2 else None,
            "Accuracy": value.get("properties", {}).get("accuracy"),
        }
        return parts[column.part]
    if isinstance(value, dict):  # a line or a shape: ODK's own "lat lon alt acc;…" spelling
        points = value["coordinates"][0] if value["type"] == "Polygon" else value["coordinates"]
        return ";".join(" ".join(str(c) for c in [p[1], p[0], *p[2:]]) for p in points)
    if column.multiple and column.part:
        return 1 if column.part in str(value).split() else 0
    if column.choices:
        words = str(value).split() if column.multiple else [str(value)]
        return " ".join(column.choices.get(w, w) for w in words)
    return value


def _parent_key(row: dict[str, Any]) -> str:
    return str(next(v for k, v in row.items() if k.startswith("__") and k.endswith("-id")))


def record_rows(plan: ExportPlan, record: ExportRecord) -> Iterator[tuple[int, list[Any]]]:
    """(table index, cells) of every row one record gives, its submission row first, then each
    repeat's rows in document order; a repeat row's KEY is its parent's KEY followed by the
    repeat's path and its position (`uuid:…/members/member[2]`), as Central writes it."""
    context = RowContext(record.instance_id, wkt=False)
    full = submission_row(record.xml, plan.tree, record.system, context)
    tables = plan.tables
    system = full["__system"]
    yield (
        0,
        [
            system.get("submissionDate"),
            *(_value(full, c) for c in tables[0].columns),
            record.instance_id,
            *(system.get(key) for _, key in SYSTEM_COLUMNS),
        ],
    )
    keys = {record.instance_id: record.instance_id}
    for index, table in enumerate(tables[1:], start=1):
        repeats = [n for n in table.path if n.type == "repeat"]
        outer = table.path.index(repeats[-2]) + 1 if len(repeats) > 1 else 0
        step = "/".join(n.name for n in table.path[outer:])
        seen: dict[str, int] = {}
        for item in repeat_rows(record.xml, table.path, context):
            parent = keys[_parent_key(item)]
            seen[parent] = seen.get(parent, 0) + 1
            own = f"{parent}/{step}[{seen[parent]}]"
            keys[item["__id"]] = own
            yield index, [*(_value(item, c) for c in table.columns), parent, own]


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv_zip(plan: ExportPlan, records: Iterable[ExportRecord], out: IO[bytes]) -> int:
    """Central's `.csv.zip`: `<name>.csv` per table, UTF-8 with BOM; returns the records
    written. Each CSV fills a temporary file as the records go by, then enters the zip."""
    tables = plan.tables
    with ExitStack() as stack:
        spools = [stack.enter_context(tempfile.TemporaryFile()) for _ in tables]
        texts = [io.TextIOWrapper(spool, encoding="utf-8-sig", newline="") for spool in spools]
        writers = [csv.writer(text) for text in texts]
        for writer, table in zip(writers, tables, strict=True):
            writer.writerow(headings(table))
        count = 0
        for record in records:
            count += 1
            for index, cells in record_rows(plan, record):
                writers[index].writerow([_cell_text(c) for c in cells])
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for text, spool, table in zip(texts, spools, tables, strict=True):
                text.flush()
                text.detach()  # the bytes as written, the BOM included
                spool.seek(0)
                with archive.open(f"{table.name}.csv", "w", force_zip64=True) as entry:
                    shutil.copyfileobj(spool, entry, 1 << 20)
        return count


def write_csv(plan: ExportPlan, records: Iterable[ExportRecord], out: IO[bytes]) -> int:
    """The submissions file alone (no repeat), UTF-8 with BOM, streamed to `out`."""
    alone = ExportPlan(plan.tree, plan.tables[:1])
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(headings(alone.tables[0]))
        count = 0
        for record in records:
            count += 1
            for _, cells in record_rows(alone, record):
                writer.writerow([_cell_text(c) for c in cells])
        text.flush()
        return count
    finally:
        text.detach()  # `out` stays open: it is the caller's


def _sheet_name(name: str, taken: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    candidate, n = cleaned, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{cleaned[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(candidate.lower())
    return candidate


def write_xlsx(plan: ExportPlan, records: Iterable[ExportRecord], out: IO[bytes]) -> int:
    """One sheet per table, joined by KEY/PARENT_KEY; rows streamed (constant_memory)."""
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    tables = plan.tables
    bold = book.add_format({"bold": True})
    taken: set[str] = set()
    sheets = [book.add_worksheet(_sheet_name(t.name, taken)) for t in tables]
    for sheet, table in zip(sheets, tables, strict=True):
        sheet.write_row(0, 0, headings(table), bold)
        sheet.freeze_panes(1, 0)
    next_row = [1] * len(tables)
    count = 0
    for record in records:
        count += 1
        for index, cells in record_rows(plan, record):
            sheet, row = sheets[index], next_row[index]
            for column, value in enumerate(cells):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_string(row, column, str(value).lower())
                elif isinstance(value, int | float):
                    sheet.write_number(row, column, value)
                else:
                    sheet.write_string(row, column, str(value))
            next_row[index] = row + 1
    book.close()
    return count


def csv_text(data: bytes) -> str:
    """A CSV of the zip as text (the BOM dropped), for readers of an export."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
