"""The settings payload ODK Collect reads from a QR code (openrosa.md §4.4).

JSON → UTF-8 → zlib (with header, as Java's Deflater writes) → standard base64, no line breaks.
Collect requires both `general` and `admin`; an empty `admin` is what Central sends.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

# Collect's own generator refuses longer payloads; stay well below it.
MAX_PAYLOAD_CHARS = 4000


def settings(server_url: str, project_name: str, username: str | None = None) -> dict[str, Any]:
    general: dict[str, Any] = {
        "server_url": server_url,
        "form_update_mode": "match_exactly",
        "periodic_form_updates_check": "every_one_hour",
        "autosend": "wifi_and_cellular",
    }
    if username:
        general["metadata_username"] = username
    return {
        "general": general,
        "admin": {},
        "project": {"name": project_name, "icon": "R", "color": "#b3261e"},
    }


def encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    if len(text) > MAX_PAYLOAD_CHARS:
        raise ValueError(f"settings payload is {len(text)} characters; Collect reads at most 4000")
    return text


def decode(text: str) -> dict[str, Any]:
    """The reverse, as Collect does it; used by tests and by `rasoat` to show a code's content."""
    payload: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))
    return payload
