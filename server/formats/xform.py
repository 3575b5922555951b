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
