"""Reading an instance (the XML a phone submits).

Parsed with defusedxml so a DTD, an entity or an external reference is refused before the
parser expands anything (XXE, billion laughs). Elements are found by local name only, because
pyxform writes `meta` without a namespace and hand-written forms use `orx:meta` (openrosa.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, fromstring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from server.errors import InvalidInstance

ORX_NS = "http://openrosa.org/xforms"


@dataclass(frozen=True)
class ParsedInstance:
    form_id: str
    version: str
    instance_id: str | None
    deprecated_id: str | None
    instance_name: str | None
    root: Element
    # An encrypted envelope (openrosa.md §3.7): the files it names are the real payload.
    encrypted_files: tuple[str, ...] = ()

    @property
    def encrypted(self) -> bool:
        return bool(self.encrypted_files)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _invalid(reason: str, reason_vi: str) -> InvalidInstance:
    return InvalidInstance(reason=reason, reason_vi=reason_vi)


def parse_stored_xml(xml: bytes) -> Element:
    """Parse XML this server stored after `parse_xml` accepted it (a record's current
    version), with the standard library's C parser: defusedxml's Python callbacks made it four
    times slower, the bulk of a raw export's time (bench/exports.py). Anything with a DTD
    still takes the careful path."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return parse_xml(xml)
    try:
        return fromstring(xml)  # noqa: S314 (no DTD, hence no entity, checked above)
    except ParseError:
        return parse_xml(xml)  # its error, with the line


def parse_xml(xml: bytes) -> Element:
    """Parse untrusted XML, refusing DTDs and entities; raise InvalidInstance with the line."""
    try:
        root: Element = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _invalid(
            f"DTDs and entities are not allowed ({type(exc).__name__})",
            "không được dùng DTD hoặc thực thể (entity)",
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise _invalid(
            f"malformed XML at line {line}, column {column}",
            f"XML sai cú pháp ở dòng {line}, cột {column}",
        ) from exc
    except (LookupError, ValueError) as exc:
        # expat hands the declared encoding to Python's codecs: an unknown name ("tf-8"), a
        # multi-byte one ("big5") or a non-text codec ("rot13") fails outside ParseError.
        raise _invalid(
            f"the character encoding in the XML declaration is not supported ({exc})",
            "bảng mã ký tự khai trong phần đầu XML không được hỗ trợ (hãy dùng UTF-8)",
        ) from exc
    return root


def _child(parent: Element, name: str) -> Element | None:
    for child in parent:
        if local_name(child.tag) == name:
            return child
    return None


def _meta_text(meta: Element | None, name: str) -> str | None:
    if meta is None:
        return None
    node = _child(meta, name)
    text = (node.text or "").strip() if node is not None else ""
    return text or None


def parse_instance(xml: bytes) -> ParsedInstance:
    """Read the form id, version and meta block of a submitted instance."""
    root = parse_xml(xml)
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise _invalid(
            "the root element has no id attribute (the form ID)",
            "phần tử gốc thiếu thuộc tính id (mã biểu mẫu)",
        )
    version = root.get("version") or root.get(f"{{{ORX_NS}}}version") or ""
    meta = _child(root, "meta")
    parsed = ParsedInstance(
        form_id=form_id,
        version=version.strip(),
        instance_id=_meta_text(meta, "instanceID"),
        deprecated_id=_meta_text(meta, "deprecatedID"),
        instance_name=_meta_text(meta, "instanceName"),
        root=root,
        encrypted_files=_encrypted_files(root),
    )
    if parsed.encrypted and not parsed.instance_id:
        # The instanceID seeds the decryption; an envelope without it can never be opened.
        raise _invalid(
            "an encrypted submission must carry meta/instanceID",
            "phiếu mã hóa phải có meta/instanceID",
        )
    return parsed


def _encrypted_files(root: Element) -> tuple[str, ...]:
    if (root.get("encrypted") or "").lower() != "yes":
        return ()
    names = values_at(root, ["media/file", "encryptedXmlFile"])
    return tuple(names) or ("submission.xml.enc",)


def values_at(root: Element, paths: Iterable[str]) -> list[str]:
    """The non-empty texts at slash-separated local-name paths below the root (repeats too)."""
    found: list[str] = []
    for path in paths:
        nodes = [root]
        for step in path.strip("/").split("/"):
            nodes = [child for node in nodes for child in node if local_name(child.tag) == step]
        found.extend(text for node in nodes if (text := (node.text or "").strip()))
    return found
