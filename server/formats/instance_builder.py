"""Writing an instance of a compiled XForm from answers given by question name.

The demo data and the tests produce records the way a phone would: the skeleton is the form's
own primary instance (so groups and order are the form's), answers are set by question name,
each repeat is written once per entry, and the form id, version and instanceID are filled in.
Calculations are not evaluated here; give their values like any answer when they matter.
`InstanceWriter` reads the form once for many instances; `build_instance` writes just one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from xml.etree.ElementTree import Element, SubElement, tostring

from server.errors import InvalidXLSForm
from server.formats.instance import local_name, parse_xml

Answers = Mapping[str, object]
JR_TEMPLATE = "{http://openrosa.org/javarosa}template"


def _primary_instance(xform: bytes) -> Element:
    root = parse_xml(xform)
    for node in root.iter():
        if local_name(node.tag) == "instance" and len(node) == 1 and node[0].get("id"):
            return node[0]
    raise InvalidXLSForm(problems="the XForm has no primary instance")


def _strip_namespaces(node: Element) -> None:
    for element in node.iter():
        element.tag = local_name(element.tag)
        element.attrib.pop(JR_TEMPLATE, None)


def _skeleton(xform: bytes) -> Element:
    """The primary instance without its repeat templates, every tag without its namespace."""
    root = copy.deepcopy(_primary_instance(xform))
    for template in [n for n in root.iter() if n.get(JR_TEMPLATE) is not None]:
        for parent in root.iter():
            if template in list(parent):
                parent.remove(template)
    _strip_namespaces(root)
    return root


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        return " ".join(str(v) for v in value)
    return str(value)


def _fill(node: Element, answers: Answers, repeats: Mapping[str, Sequence[Answers]]) -> None:
    for child in list(node):
        name = local_name(child.tag)
        if name in repeats:
            continue
        if len(child):
            _fill(child, answers, repeats)
        elif name in answers and answers[name] is not None:
            child.text = _text(answers[name])


def _expand_repeats(node: Element, repeats: Mapping[str, Sequence[Answers]]) -> None:
    for parent in list(node.iter()):
        names = [local_name(c.tag) for c in parent]
        for name in set(names) & set(repeats):
            prototype = next(c for c in parent if local_name(c.tag) == name)
            position = list(parent).index(prototype)
            for old in [c for c in parent if local_name(c.tag) == name]:
                parent.remove(old)
            for offset, entry in enumerate(repeats[name]):
                copy_ = copy.deepcopy(prototype)
                _fill(copy_, entry, {})
                parent.insert(position + offset, copy_)


class InstanceWriter:
    """Many instances of one form: the XForm is parsed once, and each instance starts from a
    copy of its skeleton."""

    def __init__(self, xform: bytes) -> None:
        self._skeleton = _skeleton(xform)

    def build(
        self,
        answers: Answers,
        *,
        instance_id: str,
        repeats: Mapping[str, Sequence[Answers]] | None = None,
        deprecated_id: str | None = None,
    ) -> bytes:
        """The instance XML a phone would send for these answers (an edit when
        `deprecated_id` names the record it replaces, as Collect writes it: a child of meta)."""
        root = copy.deepcopy(self._skeleton)
        _fill(root, {**answers, "instanceID": instance_id}, repeats or {})
        _expand_repeats(root, repeats or {})
        if deprecated_id:
            meta = next(n for n in root.iter() if n.tag == "meta")
            SubElement(meta, "deprecatedID").text = deprecated_id
        root.set("xmlns:jr", "http://openrosa.org/javarosa")
        root.set("xmlns:orx", "http://openrosa.org/xforms")
        document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
        return document


def build_instance(
    xform: bytes,
    answers: Answers,
    *,
    instance_id: str,
    repeats: Mapping[str, Sequence[Answers]] | None = None,
    deprecated_id: str | None = None,
) -> bytes:
    """One instance of `xform` (see `InstanceWriter.build`)."""
    writer = InstanceWriter(xform)
    return writer.build(
        answers, instance_id=instance_id, repeats=repeats, deprecated_id=deprecated_id
    )
