"""Facts read from a compiled XForm: ids, title, file questions and the media it needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element

from server.errors import InvalidXLSForm
from server.formats.instance import local_name, parse_xml

_MEDIA_REF = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\"'<>\s)]+)")


@dataclass(frozen=True)
class XFormFacts:
    form_id: str
    version: str
    title: str
    binary_paths: tuple[str, ...]
    media_names: tuple[str, ...]


def _find(root: Element, name: str) -> Element | None:
    return next((node for node in root.iter() if local_name(node.tag) == name), None)


def _primary_instance_root(model: Element) -> Element:
    instance = next((n for n in model if local_name(n.tag) == "instance"), None)
    children = list(instance) if instance is not None else []
    if len(children) != 1 or not children[0].get("id"):
        raise InvalidXLSForm(problems="the primary instance has no root element with an id")
    return children[0]


def _binary_paths(model: Element, root_name: str) -> tuple[str, ...]:
    prefix = f"/{root_name}/"
    paths = []
    for bind in model:
        nodeset = bind.get("nodeset", "")
        is_file = local_name(bind.tag) == "bind" and bind.get("type") == "binary"
        if is_file and nodeset.startswith(prefix):
            paths.append(nodeset[len(prefix) :])
    return tuple(paths)


def describe(xform: bytes) -> XFormFacts:
    """Read what the server needs from an XForm it compiled or received."""
    root = parse_xml(xform)
    model, title = _find(root, "model"), _find(root, "title")
    if model is None:
        raise InvalidXLSForm(problems="the XForm has no model")
    data = _primary_instance_root(model)
    names = {PurePosixPath(ref).name for ref in _MEDIA_REF.findall(xform.decode("utf-8"))}
    return XFormFacts(
        form_id=data.get("id", ""),
        version=data.get("version", "") or "",
        title=(title.text or "").strip() if title is not None else "",
        binary_paths=_binary_paths(model, local_name(data.tag)),
        media_names=tuple(sorted(names)),
    )


@dataclass(frozen=True)
class SchemaField:
    """One element of a form's primary instance, as ODK Central's `/fields` lists it: its name,
    its path below the root ("/meta/instanceID"), its type (the bind's, "structure" for a
    group, "repeat" for a repeat), whether it holds a file name or a select-multiple answer."""

    name: str
    path: str
    type: str
    binary: bool
    select_multiple: bool


_ODATA_RUN = re.compile(r"[^A-Za-z0-9_]+")


def odata_name(name: str) -> str:
    """Central's OData identifier: runs of other characters become one "_", and a name that
    does not start with a letter or "_" gets a "_" in front."""
    cleaned = _ODATA_RUN.sub("_", name)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def _body_refs(root: Element, kind: str) -> set[str]:
    return {
        node.get("nodeset") or node.get("ref") or ""
        for node in root.iter()
        if local_name(node.tag) == kind
    }


def schema_fields(xform: bytes, *, odata: bool = False) -> tuple[SchemaField, ...]:
    """Every field of the primary instance in document order (`odata`: names and paths in
    Central's OData spelling)."""
    root = parse_xml(xform)
    model = _find(root, "model")
    if model is None:
        raise InvalidXLSForm(problems="the XForm has no model")
    data = _primary_instance_root(model)
    types = {
        bind.get("nodeset", ""): bind.get("type", "")
        for bind in model
        if local_name(bind.tag) == "bind"
    }
    repeats, multiples = _body_refs(root, "repeat"), _body_refs(root, "select")
    found: dict[str, SchemaField] = {}

    def walk(node: Element, xpath: str, shown: str) -> None:
        for child in node:
            name = local_name(child.tag)
            child_xpath = f"{xpath}/{name}"
            spelled = odata_name(name) if odata else name
            child_shown = f"{shown}/{spelled}"
            if child_xpath in found or child_shown in {f.path for f in found.values()}:
                continue  # a repeat's template and its first instance: listed once
            if child_xpath in repeats:
                kind = "repeat"
            elif len(child):
                kind = "structure"
            else:
                kind = types.get(child_xpath) or "unknown"
            found[child_xpath] = SchemaField(
                spelled, child_shown, kind, kind == "binary", child_xpath in multiples
            )
            if len(child):
                walk(child, child_xpath, child_shown)

    walk(data, f"/{local_name(data.tag)}", "")
    return tuple(found.values())
