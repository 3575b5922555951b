"""Reading instances from an ODK Collect `instances/` folder copied off a phone.

Each instance is a folder `<name>/` holding `<name>.xml` and its media files. Like Collect
(openrosa.md §3.2), every other non-hidden file in the folder is an attachment. Encrypted
instances hold `submission.xml` (the plaintext manifest) and `*.enc` files instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from sync.errors import InstanceUnreadable
from sync.outbox import Instance

logger = logging.getLogger(__name__)
ENCRYPTED_MANIFEST = "submission.xml"


@dataclass(frozen=True)
class FolderScan:
    instances: list[Instance]
    unreadable: dict[str, str]  # folder path → why it was skipped


def scan_instances(folder: Path) -> FolderScan:
    """Every instance under `folder` (a Collect `instances/` folder, or one instance folder)."""
    if not folder.is_dir():
        raise InstanceUnreadable(f"{folder} is not a folder")
    candidates = [folder] if _instance_xml(folder) else _subfolders(folder)
    instances: list[Instance] = []
    unreadable: dict[str, str] = {}
    for path in candidates:
        try:
            instances.append(read_instance(path))
        except InstanceUnreadable as exc:
            unreadable[str(path)] = str(exc)
    logger.info("found %d instances in %s (%d unreadable)", len(instances), folder, len(unreadable))
    return FolderScan(instances, unreadable)


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _instance_xml(folder: Path) -> Path | None:
    for name in (f"{folder.name}.xml", ENCRYPTED_MANIFEST):
        if (folder / name).is_file():
            return folder / name
    return None


def read_instance(folder: Path) -> Instance:
    """One instance folder as an Instance; the XML is kept byte for byte."""
    xml_path = _instance_xml(folder)
    if xml_path is None:
        raise InstanceUnreadable(f"no {folder.name}.xml in {folder}")
    xml = xml_path.read_bytes()
    form_id, instance_id, deprecated_id, encrypted = _identity(xml, xml_path)
    files = [
        (path.name, path.read_bytes())
        for path in sorted(folder.iterdir())
        if _is_attachment(path, xml_path, encrypted)
    ]
    return Instance(
        form_id=form_id,
        instance_id=instance_id,
        xml=xml,
        xml_name=xml_path.name,
        files=files,
        source=str(folder),
        deprecated_id=deprecated_id,
    )


def _is_attachment(path: Path, xml_path: Path, encrypted: bool) -> bool:
    if path == xml_path or path.name.startswith(".") or not path.is_file():
        return False
    # An encrypted instance sends only its .enc files (openrosa.md §3.7).
    return path.suffix == ".enc" if encrypted else True


def _identity(xml: bytes, path: Path) -> tuple[str, str, str | None, bool]:
    """(form id, instanceID, deprecatedID, encrypted?) by local name, ignoring namespaces."""
    try:
        root = ElementTree.fromstring(xml)
    except (ParseError, DefusedXmlException) as exc:
        raise InstanceUnreadable(f"{path}: not readable XML ({exc})") from exc
    form_id = root.get("id", "").strip()
    instance_id = _first_text(root, "instanceID")
    if not form_id:
        raise InstanceUnreadable(f"{path}: the root element has no form id")
    if not instance_id:
        raise InstanceUnreadable(f"{path}: no meta/instanceID")
    deprecated_id = _first_text(root, "deprecatedID") or None
    return form_id, instance_id, deprecated_id, root.get("encrypted", "").lower() == "yes"


def _first_text(root: Element, name: str) -> str:
    return next(((node.text or "").strip() for node in root.iter() if _local(node.tag) == name), "")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# Where rasoat's forms keep the household code and the head's name, for an instance saved
# without meta/instanceName (a form without instance_name, or XML written by another tool).
_HOUSEHOLD_FIELDS = ("household_code", "household")
_HEAD_FIELDS = ("head_name",)


def instance_label(xml: bytes) -> str | None:
    """What a person knows the instance by: its meta/instanceName (rasoat's forms make it the
    household code and the head's name, as Collect lists them), else the household code and
    head's name read from the answers, else None."""
    try:
        root = ElementTree.fromstring(xml)
    except (ParseError, DefusedXmlException):
        return None
    named = _first_text(root, "instanceName")
    if named:
        return named
    household = next(filter(None, (_first_text(root, f) for f in _HOUSEHOLD_FIELDS)), "")
    head = next(filter(None, (_first_text(root, f) for f in _HEAD_FIELDS)), "")
    return " ".join(filter(None, (household, head))) or None
