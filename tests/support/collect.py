"""A client that speaks to the server the way ODK Collect does (openrosa.md §0–§3).

Every URL gets `deviceID` appended, even one that has a query already; the Date header uses
Collect's ambiguous 12-hour clock; a submission starts with HEAD, reads the advertised size
limit and splits the upload like Collect: identical XML in every POST, attachments in batches,
`*isIncomplete*=yes` on all POSTs but the last.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

import requests

DEVICE_ID = "collect:AbCdEf0123456789"
USER_AGENT = "org.odk.collect.android/v2025.2.1 Dalvik/2.1.0 (Linux; U; Android 13)"
FORM_LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
DEFAULT_SPLIT = 10_000_000


def with_device_id(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"deviceID={DEVICE_ID.replace(':', '%3A')}"


def instance_xml(
    form_id: str,
    version: str = "1",
    *,
    instance_id: str | None = None,
    deprecated_id: str | None = None,
    fields: dict[str, str] | None = None,
    root: str = "data",
) -> bytes:
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    body = "".join(f"<{k}>{v}</{k}>" for k, v in (fields or {}).items())
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    return (
        f'<?xml version="1.0"?><{root} xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"{body}<meta>{meta}</meta></{root}>"
    ).encode()


@dataclass
class Upload:
    responses: list[requests.Response] = field(default_factory=list)

    @property
    def last(self) -> requests.Response:
        return self.responses[-1]


class CollectClient:
    def __init__(self, server_url: str, auth: Any = None) -> None:
        self.server_url = server_url.rstrip("/")
        self.session = requests.Session()
        self.session.auth = auth

    def _headers(self) -> dict[str, str]:
        return {
            "X-OpenRosa-Version": "1.0",
            "User-Agent": USER_AGENT,
            "Date": time.strftime("%a, %d %b %Y %I:%M:%S GMT", time.gmtime()),
        }

    def get(self, url: str) -> requests.Response:
        return self.session.get(with_device_id(url), headers=self._headers(), timeout=30)

    def form_list(self) -> requests.Response:
        return self.get(f"{self.server_url}/formList")

    def head_submission(self) -> requests.Response:
        url = with_device_id(f"{self.server_url}/submission")
        return self.session.head(url, headers=self._headers(), timeout=30)

    def post(
        self,
        xml: bytes,
        files: dict[str, bytes] | None = None,
        *,
        incomplete: bool = False,
        filename: str = "Household_2026-11-26_10-00-00.xml",
    ) -> requests.Response:
        parts: list[tuple[str, Any]] = [("xml_submission_file", (filename, xml, "text/xml"))]
        for name, data in (files or {}).items():
            parts.append((name, (name, data, "image/jpeg")))
        if incomplete:
            parts.append(("*isIncomplete*", (None, "yes")))
        url = with_device_id(f"{self.server_url}/submission")
        return self.session.post(url, files=parts, headers=self._headers(), timeout=60)

    def submit(self, xml: bytes, files: dict[str, bytes] | None = None) -> Upload:
        """HEAD, then one or more POSTs split as Collect splits them."""
        upload = Upload()
        head = self.head_submission()
        upload.responses.append(head)
        limit = int(head.headers.get("X-OpenRosa-Accept-Content-Length") or DEFAULT_SPLIT)
        batches = split(xml, files or {}, limit)
        for index, batch in enumerate(batches):
            response = self.post(xml, batch, incomplete=index < len(batches) - 1)
            upload.responses.append(response)
            if response.status_code not in (201, 202):
                break
        return upload


def split(xml: bytes, files: dict[str, bytes], limit: int) -> list[dict[str, bytes]]:
    batches: list[dict[str, bytes]] = [{}]
    size = len(xml)
    for name, data in files.items():
        current = batches[-1]
        if current and (size + len(data) > limit or len(current) >= 100):
            batches.append({})
            size = len(xml)
        batches[-1][name] = data
        size += len(data)
    return batches


def parse_form_list(body: bytes) -> list[dict[str, str]]:
    root = ET.fromstring(body)
    assert root.tag == f"{FORM_LIST_NS}xforms"
    return [
        {child.tag.removeprefix(FORM_LIST_NS): child.text or "" for child in xform}
        for xform in root.findall(f"{FORM_LIST_NS}xform")
    ]


def parse_manifest(body: bytes) -> list[dict[str, str]]:
    root = ET.fromstring(body)
    assert root.tag == f"{MANIFEST_NS}manifest"
    return [
        {child.tag.removeprefix(MANIFEST_NS): child.text or "" for child in media}
        for media in root.findall(f"{MANIFEST_NS}mediaFile")
    ]


def response_message(response: requests.Response) -> str:
    """What Collect shows: the text of the first <message> of an OpenRosaResponse."""
    root = ET.fromstring(response.content)
    assert root.tag.endswith("OpenRosaResponse"), response.text
    message = next(node for node in root.iter() if node.tag.endswith("message"))
    return message.text or ""
