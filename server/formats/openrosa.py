"""OpenRosa XML documents the server sends: form list, manifest, OpenRosaResponse.

Collect rejects a whole form list if one entry lacks formID, name or downloadUrl, and drops all
media if one manifest entry is incomplete (openrosa.md §1.2, §2.1), so the values are dataclass
fields that cannot be left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"


@dataclass(frozen=True)
class FormListEntry:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class MediaFileEntry:
    filename: str
    md5: str
    download_url: str


def _document(root: Element) -> bytes:
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _text(parent: Element, tag: str, value: str) -> None:
    SubElement(parent, tag).text = value


def form_list(entries: Iterable[FormListEntry]) -> bytes:
    root = Element("xforms", xmlns=FORM_LIST_NS)
    for entry in entries:
        xform = SubElement(root, "xform")
        _text(xform, "formID", entry.form_id)
        _text(xform, "name", entry.name or entry.form_id)
        _text(xform, "version", entry.version)
        _text(xform, "hash", f"md5:{entry.md5}")
        _text(xform, "downloadUrl", entry.download_url)
        if entry.manifest_url:
            _text(xform, "manifestUrl", entry.manifest_url)
    return _document(root)


def manifest(files: Iterable[MediaFileEntry]) -> bytes:
    root = Element("manifest", xmlns=MANIFEST_NS)
    for item in files:
        media = SubElement(root, "mediaFile")
        _text(media, "filename", item.filename)
        _text(media, "hash", f"md5:{item.md5}")
        _text(media, "downloadUrl", item.download_url)
    return _document(root)


# rasoat's own header on a 201/202 for a record stored but put aside for an officer (its review
# state is "has issues"); the OpenRosa message says the same for the cadre. sync/replies.py
# reads it under the same name (sync never imports the server).
REVIEW_STATE_HEADER = "X-Rasoat-Review-State"


def response(message: str, *, error: bool = False) -> bytes:
    """An OpenRosaResponse; Collect shows the text of the first <message> to the cadre."""
    root = Element("OpenRosaResponse", xmlns=RESPONSE_NS, items="0")
    node = SubElement(root, "message", nature="error" if error else "submit_success")
    node.text = message
    return _document(root)
