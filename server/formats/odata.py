"""ODK Central's OData v4 feed of a form, pure (odk-central-api.md §4): the form's fields as a
tree, a submission's XML as an OData row typed from the XForm, its repeats as rows of their own
tables with Central's stable ids, and the `$metadata` EDMX document."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element
from xml.sax.saxutils import quoteattr

from server.errors import InvalidInput
from server.formats.instance import local_name
from server.formats.xform import odata_name, schema_fields

ROOT_TABLE = "Submissions"


def iso(moment: datetime | None) -> str | None:
    """2025-01-02T03:04:05.678Z, as Central (JavaScript's toISOString) writes times; SQLite hands
    back naive datetimes, and every time stored is UTC."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Node:
    """A field of the form: its element name, its OData name, its type ("structure" for a
    group, "repeat" for a repeat, else the bind's) and, for a group or repeat, its fields."""

    name: str
    key: str
    type: str
    children: tuple[Node, ...] = ()


def schema_tree(xform: bytes) -> tuple[Node, ...]:
    """The fields of the primary instance as a tree, in document order."""
    nested: dict[str, Any] = {}
    kinds: dict[tuple[str, ...], str] = {}
    for field in schema_fields(xform):
        parts = tuple(field.path.strip("/").split("/"))
        kinds[parts] = field.type
        level = nested
        for part in parts:
            level = level.setdefault(part, {})

    def build(level: dict[str, Any], prefix: tuple[str, ...]) -> tuple[Node, ...]:
        return tuple(
            Node(name, odata_name(name), kinds[(*prefix, name)], build(inner, (*prefix, name)))
            for name, inner in level.items()
        )

    return build(nested, ())


def repeat_tables(tree: tuple[Node, ...]) -> dict[str, tuple[tuple[Node, ...], Node]]:
    """Each repeat's table name (`Submissions.members.member`) → (its path from the root, the
    repeat)."""
    tables: dict[str, tuple[tuple[Node, ...], Node]] = {}

    def walk(nodes: tuple[Node, ...], path: tuple[Node, ...]) -> None:
        for node in nodes:
            if node.type == "repeat":
                name = ".".join([ROOT_TABLE, *(n.key for n in (*path, node))])
                tables[name] = ((*path, node), node)
            if node.children:
                walk(node.children, (*path, node))

    walk(tree, ())
    return tables


def _coordinates(text: str) -> list[tuple[list[float], float | None]]:
    points = []
    for chunk in text.split(";"):
        numbers = [float(n) for n in chunk.split()]
        if len(numbers) < 2:
            raise ValueError(chunk)
        lon_lat = [numbers[1], numbers[0], *numbers[2:3]]
        points.append((lon_lat, numbers[3] if len(numbers) > 3 else None))
    return points


def _wkt_point(coordinates: list[float]) -> str:
    return " ".join(f"{c:g}" if c != int(c) else str(int(c)) for c in coordinates)


def _geo(kind: str, text: str, wkt: bool) -> Any:
    points = _coordinates(text)
    if kind == "geopoint":
        coordinates, accuracy = points[0]
        if wkt:
            return f"POINT ({_wkt_point(coordinates)})"
        point: dict[str, Any] = {"type": "Point", "coordinates": coordinates}
        if accuracy is not None:
            point["properties"] = {"accuracy": accuracy}
        return point
    line = [c for c, _ in points]
    if wkt:
        inner = ",".join(_wkt_point(c) for c in line)
        return f"LINESTRING ({inner})" if kind == "geotrace" else f"POLYGON (({inner}))"
    if kind == "geotrace":
        return {"type": "LineString", "coordinates": line}
    return {"type": "Polygon", "coordinates": [line]}


def typed(kind: str, text: str | None, wkt: bool = False) -> Any:
    """A value as Central's feed types it: numbers as numbers, places as GeoJSON (or WKT),
    everything else as the string submitted; nothing, or a value that is not of its type,
    as given (a string) or null when empty."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if kind == "int":
            return int(value)
        if kind == "decimal":
            return float(value)
        if kind in ("geopoint", "geotrace", "geoshape"):
            return _geo(kind, value, wkt)
    except ValueError:
        return text
    if (
        kind == "dateTime"
        and len(value) > 3
        and value[-3] in "+-"
        and value[-3:].strip("+-").isdigit()
    ):
        return f"{value}:00"  # a "+07" offset as "+07:00"
    return text


@dataclass(frozen=True)
class RowContext:
    instance_id: str
    wkt: bool
    expand: bool = False  # `$expand=*`: each repeat's instances inline, as Central nests them


def _repeat_id(step: str) -> str:
    return hashlib.sha1(step.encode("utf-8")).hexdigest()  # noqa: S324 (Central's ids)


def _fields(
    element: Element | None,
    nodes: tuple[Node, ...],
    link: str,
    context: RowContext,
    seed: str = "",
) -> dict[str, Any]:
    """The row of `element`'s fields; `seed` is the ancestry its repeats' ids hash over
    (needed only when they are expanded)."""
    row: dict[str, Any] = {}
    # The element's children by name, once: a lookup per field was quadratic in the fields of
    # a group (bench/exports.py).
    children: dict[str, list[Element]] = {}
    for candidate in element if element is not None else ():
        children.setdefault(local_name(candidate.tag), []).append(candidate)
    for node in nodes:
        found = children.get(node.name, [])
        child = found[0] if found else None
        if node.type == "repeat":
            row[f"{node.key}@odata.navigationLink"] = f"{link}/{node.key}"
            if context.expand:
                row[node.key] = [
                    _expanded(instance, node, link, context, f"{seed}%%{node.name}#{index}")
                    for index, instance in enumerate(found)
                ]
        elif node.type == "structure":
            inner = f"{seed}%%{node.name}#"
            row[node.key] = _fields(child, node.children, f"{link}/{node.key}", context, inner)
        else:
            row[node.key] = typed(node.type, child.text if child is not None else None, context.wkt)
    return row


def _expanded(
    instance: Element, repeat: Node, link: str, context: RowContext, step: str
) -> dict[str, Any]:
    """One instance of a repeat inline in its parent's row: its fields and its `__id` (the
    id its row has in the repeat's own table)."""
    inner = f"{link}/{repeat.key}('{_repeat_id(step)}')"
    return {**_fields(instance, repeat.children, inner, context, step), "__id": _repeat_id(step)}


def submission_row(
    root: Element, tree: tuple[Node, ...], system: Mapping[str, Any], context: RowContext
) -> dict[str, Any]:
    """One row of the Submissions table: `__id`, the fields (groups nested, each repeat a
    navigation link), `__system`."""
    link = f"{ROOT_TABLE}('{quote(context.instance_id, safe='')}')"
    return {
        "__id": context.instance_id,
        **_fields(root, tree, link, context, f"{ROOT_TABLE}#{context.instance_id}"),
        "__system": dict(system),
    }


def _instances(
    element: Element, path: tuple[Node, ...], seed: str, parent_id: str
) -> Iterator[tuple[Element, str, str]]:
    """(element, __id, parent's __id) of every instance of the repeat at the end of `path`
    below `element`; ids are sha1 over the ancestry, as Central computes them."""
    head, rest = path[0], path[1:]
    matches = [c for c in element if local_name(c.tag) == head.name]
    for index, child in enumerate(matches):
        if head.type == "repeat":
            step = f"{seed}%%{head.name}#{index}"
            own = _repeat_id(step)
            if not rest:
                yield child, own, parent_id
            else:
                yield from _instances(child, rest, step, own)
        else:
            if index:
                break  # a group appears once
            yield from _instances(child, rest, f"{seed}%%{head.name}#", parent_id)


def repeat_rows(
    root: Element, path: tuple[Node, ...], context: RowContext
) -> Iterator[dict[str, Any]]:
    """The rows of one repeat table from one submission, in document order, each with its
    `__id` and its parent's key (`__Submissions-id`, or the enclosing repeat's)."""
    parents = [n for n in path[:-1] if n.type == "repeat"]
    parent_key = (
        "__" + "-".join([ROOT_TABLE, *(n.key for n in path[: path.index(parents[-1]) + 1])]) + "-id"
        if parents
        else f"__{ROOT_TABLE}-id"
    )
    seed = f"{ROOT_TABLE}#{context.instance_id}"
    repeat = path[-1]
    for element, own, parent in _instances(root, path, seed, context.instance_id):
        link = f"{ROOT_TABLE}('{quote(context.instance_id, safe='')}')"
        row = _fields(element, repeat.children, link, context)
        row["__id"] = own
        row[parent_key] = parent
        yield row


# --- $metadata ---------------------------------------------------------------------------------

_EDM = {
    "int": "Edm.Int64",
    "decimal": "Edm.Decimal",
    "boolean": "Edm.Boolean",
    "geopoint": "Edm.GeographyPoint",
    "geotrace": "Edm.GeographyLineString",
    "geoshape": "Edm.GeographyPolygon",
    "date": "Edm.Date",
    "dateTime": "Edm.DateTimeOffset",
}
_EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
_VOCABULARIES = "http://docs.oasis-open.org/odata/odata/v4.0/os/vocabularies"
_CAP = "Org.OData.Capabilities.V1"
_SYSTEM_FIELDS: tuple[tuple[str, str], ...] = (
    ("submissionDate", "Edm.DateTimeOffset"),
    ("updatedAt", "Edm.DateTimeOffset"),
    ("deletedAt", "Edm.DateTimeOffset"),
    ("submitterId", "Edm.String"),
    ("submitterName", "Edm.String"),
    ("attachmentsPresent", "Edm.Int64"),
    ("attachmentsExpected", "Edm.Int64"),
    ("status", "org.opendatakit.submission.Status"),
    ("reviewState", "org.opendatakit.submission.ReviewState"),
    ("deviceId", "Edm.String"),
    ("edits", "Edm.Int64"),
    ("formVersion", "Edm.String"),
)


SYSTEM_KEYS = frozenset(name for name, _ in _SYSTEM_FIELDS)


def _system_schema() -> list[str]:
    def members(*names: str) -> list[str]:
        # The values CSDL would assign anyway (0, 1, …), written out: some v4 clients
        # (python-odata) read every member's Value.
        return [f'<Member Name="{n}" Value="{i}"/>' for i, n in enumerate(names)]

    return [
        f'<Schema xmlns="{_EDM_NS}" Namespace="org.opendatakit.submission">',
        '<ComplexType Name="metadata">',
        *(f'<Property Name="{name}" Type="{kind}"/>' for name, kind in _SYSTEM_FIELDS),
        "</ComplexType>",
        '<EnumType Name="Status">',
        *members("notDecrypted", "missingEncryptedFormData"),
        "</EnumType>",
        '<EnumType Name="ReviewState">',
        *members("hasIssues", "edited", "rejected", "approved"),
        "</EnumType>",
        "</Schema>",
    ]


def _capabilities(target: str) -> list[str]:
    """The annotations of the Submissions set: minimal conformance, countable, filterable,
    sortable and expandable (`$orderby`, `$expand=*`; Central says neither though it answers
    both), no batches."""

    def record(term: str, *values: tuple[str, bool]) -> str:
        pairs = "".join(
            f'<PropertyValue Property="{name}" Bool="{str(flag).lower()}"/>'
            for name, flag in values
        )
        return f'<Annotation Term="{_CAP}.{term}"><Record>{pairs}</Record></Annotation>'

    return [
        f'<Annotations Target="{target}">',
        f'<Annotation Term="{_CAP}.ConformanceLevel" '
        f'EnumMember="{_CAP}.ConformanceLevelType/Minimal"/>',
        f'<Annotation Term="{_CAP}.BatchSupported" Bool="false"/>',
        record("CountRestrictions", ("Countable", True)),
        record("FilterRestrictions", ("Filterable", True), ("RequiresFilter", False)),
        record("SortRestrictions", ("Sortable", True)),
        record("ExpandRestrictions", ("Expandable", True)),
        "</Annotations>",
    ]


def _properties(nodes: tuple[Node, ...], prefix: str, ns: str) -> list[str]:
    lines = []
    for node in nodes:
        if node.type == "repeat":
            target = f"org.opendatakit.user.{ns}.{prefix}.{node.key}"
            lines.append(
                f"<NavigationProperty Name={quoteattr(node.key)} "
                f"Type={quoteattr(f'Collection({target})')}/>"
            )
        elif node.type == "structure":
            lines.append(
                f"<Property Name={quoteattr(node.key)} "
                f"Type={quoteattr(f'org.opendatakit.user.{ns}.{prefix}.{node.key}')}/>"
            )
        else:
            edm = _EDM.get(node.type, "Edm.String")
            lines.append(f"<Property Name={quoteattr(node.key)} Type={quoteattr(edm)}/>")
    return lines


def _types(
    nodes: tuple[Node, ...],
    prefix: str,
    ns: str,
    out: list[str],
    parent_key: str = f"__{ROOT_TABLE}-id",
) -> None:
    """The types below `prefix`; `parent_key` is the column by which a repeat's rows name
    the row they belong to (the record's, or the enclosing repeat's), as `repeat_rows`."""
    for node in nodes:
        name = f"{prefix}.{node.key}"
        inner_key = parent_key
        if node.type == "structure":
            out.append(f"<ComplexType Name={quoteattr(name.removeprefix(ROOT_TABLE + '.'))}>")
            out.extend(_properties(node.children, name, ns))
            out.append("</ComplexType>")
        elif node.type == "repeat":
            out.append(f"<EntityType Name={quoteattr(name)}>")
            out.append('<Key><PropertyRef Name="__id"/></Key>')
            out.append('<Property Name="__id" Type="Edm.String"/>')
            # Declared, so that a client building its model from $metadata keeps it.
            out.append(f"<Property Name={quoteattr(parent_key)} Type=\"Edm.String\"/>")
            out.extend(_properties(node.children, name, ns))
            out.append("</EntityType>")
            inner_key = "__" + name.replace(".", "-") + "-id"
        if node.children:
            _types(node.children, name, ns, out, inner_key)


def metadata_document(xml_form_id: str, tree: tuple[Node, ...]) -> str:
    """The EDMX of the form's feed: Central's system metadata, the Submissions entity, one
    complex type per group and one entity type (and set) per repeat."""
    ns = odata_name(xml_form_id)
    types: list[str] = []
    _types(tree, ROOT_TABLE, ns, types)
    # A group's complex type is named by its path below Submissions (Central: "meta").
    fixed = [
        line.replace(f"org.opendatakit.user.{ns}.{ROOT_TABLE}.", f"org.opendatakit.user.{ns}.")
        if line.startswith("<Property ")
        else line
        for line in types
    ]
    root_properties = [
        line.replace(f"org.opendatakit.user.{ns}.{ROOT_TABLE}.", f"org.opendatakit.user.{ns}.")
        if line.startswith("<Property ")
        else line
        for line in _properties(tree, ROOT_TABLE, ns)
    ]
    user = f"org.opendatakit.user.{ns}"
    sets = [
        f"<EntitySet Name={quoteattr(name)} EntityType={quoteattr(f'{user}.{name}')}/>"
        for name in (ROOT_TABLE, *repeat_tables(tree))
    ]
    container = quoteattr(ns)
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
            *_system_schema(),
            f'<Schema xmlns="{_EDM_NS}" Namespace="{user}">',
            f'<EntityType Name="{ROOT_TABLE}">',
            '<Key><PropertyRef Name="__id"/></Key>',
            '<Property Name="__id" Type="Edm.String"/>',
            '<Property Name="__system" Type="org.opendatakit.submission.metadata"/>',
            *root_properties,
            "</EntityType>",
            *fixed,
            f"<EntityContainer Name={container}>",
            *sets,
            "</EntityContainer>",
            *_capabilities(f"{user}.{ns}/{ROOT_TABLE}"),
            "</Schema>",
            "</edmx:DataServices>",
            "</edmx:Edmx>",
        ]
    )


def selected(row: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """The row with only the `$select`ed paths (`__id`, `__system`, `__system/<key>`, a field,
    a group with all it holds, `a/b` inside a group); the groups that hold them stay objects."""
    if "*" in paths:
        return row
    kept: dict[str, Any] = {}
    for path in paths:
        source, target = row, kept
        parts = path.split("/")
        for part in parts[:-1]:
            source = source[part]
            target = target.setdefault(part, {})
        target[parts[-1]] = source[parts[-1]]
    return kept


def selectable(tree: tuple[Node, ...], path: str) -> bool:
    """Whether `$select` may name this path of the Submissions table (not inside a repeat)."""
    if path in ("*", "__id", "__system") or (
        path.startswith("__system/") and path.removeprefix("__system/") in SYSTEM_KEYS
    ):
        return True
    nodes: tuple[Node, ...] = tree
    for part in path.split("/"):
        node = next((n for n in nodes if n.key == part), None)
        if node is None or node.type == "repeat":
            return False
        nodes = node.children
    return True


# --- Paging by a cursor -------------------------------------------------------------------------
# The nextLink of a table carries `$skiptoken`: the form, the table, the order the page was read
# in and where its last row stands in that order, so the next page starts after that row
# whatever was added meanwhile. Newest first (no `$orderby`), a new record is newer than every
# page already read: it neither shifts a row into a page read before nor pushes one out of the
# page to come. Under an `$orderby` the token holds the last row's values of the ordering's
# fields (and its record, which breaks ties), so the next page seeks past them instead of
# counting rows. Opaque to clients, as OData wants it.

CursorValue = str | int | float | None


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: after record `after` (its id), for a repeat table after its row
    number `row` of that record; `order` is the `$orderby` read ("" for newest first) and
    `key` the last record's values of its fields, as JSON values."""

    after: int
    order: str = ""
    key: tuple[CursorValue, ...] = ()
    table: str = ROOT_TABLE
    row: int = 0


def skiptoken(xml_form_id: str, last_record: int, cursor: Cursor | None = None) -> str:
    where = cursor or Cursor(last_record)
    data: dict[str, Any] = {"form": xml_form_id, "after": last_record}
    if where.table != ROOT_TABLE:
        data |= {"table": where.table, "row": where.row}
    if where.order:
        data |= {"order": where.order, "key": list(where.key)}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_skiptoken(
    token: str, xml_form_id: str, table: str = ROOT_TABLE, order: str = ""
) -> Cursor:
    """Where the page continues; InvalidInput naming $skiptoken for a token that is not ours,
    belongs to another form's feed or table, or was given for another `$orderby`."""
    not_ours = InvalidInput(field="$skiptoken", detail="not a token this feed gave")
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(data, dict):
            raise TypeError(data)
        form, after = data["form"], data["after"]
        given_table, given_order = data.get("table", ROOT_TABLE), data.get("order", "")
        key, row = tuple(data.get("key", ())), data.get("row", 0)
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise not_ours from exc
    if form != xml_form_id:
        raise InvalidInput(field="$skiptoken", detail=f"a token of the feed of {form!r}")
    if given_table != table:
        raise InvalidInput(field="$skiptoken", detail=f"a token of the table {given_table!r}")
    if given_order != order:
        raise InvalidInput(
            field="$skiptoken",
            detail=f"given for $orderby={given_order or '(none)'}, "
            f"not for $orderby={order or '(none)'}",
        )
    shapes = (
        _whole_number(after),
        _whole_number(row),
        all(v is None or isinstance(v, str | int | float) for v in key),
    )
    if not all(shapes):
        raise not_ours
    return Cursor(after, order, key, table, row)
