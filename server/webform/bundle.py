"""The built web form bundle: which hashed files the page and its service worker need, and
serving them once compressed (Vite writes the files, webform/compress.mjs the .br and .gz).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Response, request, send_file
from werkzeug.security import safe_join

from server.errors import NotFound, WebFormNotBuilt

MANIFEST = Path(".vite") / "manifest.json"
ASSETS = "assets"  # Vite's folder of hashed files inside the bundle
ENTRY = "src/main.js"
# Hashed names never change content, so a browser may keep them for a year without asking.
IMMUTABLE = "public, max-age=31536000, immutable"
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass(frozen=True)
class Bundle:
    folder: Path
    entry: str
    css: tuple[str, ...]
    imports: tuple[str, ...]
    version: str

    @property
    def precache(self) -> tuple[str, ...]:
        """What the page needs to start (the map widget's chunk is loaded only when used)."""
        return (self.entry, *self.css, *self.imports)


def load_bundle(folder: str) -> Bundle:
    manifest = Path(folder) / MANIFEST
    try:
        stamp = manifest.stat().st_mtime_ns
    except OSError as exc:
        raise WebFormNotBuilt() from exc
    return _read(manifest, stamp)


@lru_cache(maxsize=4)
def _read(manifest: Path, _stamp: int) -> Bundle:
    raw = manifest.read_bytes()
    chunks = json.loads(raw)
    if ENTRY not in chunks:
        raise WebFormNotBuilt()
    entry = chunks[ENTRY]
    return Bundle(
        folder=manifest.parent.parent,
        entry=entry["file"],
        css=tuple(entry.get("css", ())),
        imports=tuple(_static_imports(chunks, ENTRY)),
        version=hashlib.sha256(raw).hexdigest()[:16],
    )


def _static_imports(chunks: dict[str, dict[str, list[str]]], key: str) -> list[str]:
    found: list[str] = []
    for name in chunks[key].get("imports", ()):
        file = str(chunks[name]["file"])
        if file not in found:
            found += [file, *(f for f in _static_imports(chunks, name) if f not in found)]
    return found


def asset_response(bundle: Bundle, name: str) -> Response:
    """A hashed file of the bundle (`name` inside its assets folder), precompressed when the
    browser takes it, cached for good."""
    path = safe_join(str(bundle.folder / ASSETS), name)
    if path is None or not Path(path).is_file():
        raise NotFound(what=name)
    accepted = request.accept_encodings
    for encoding, suffix in ENCODINGS:
        if accepted[encoding] and Path(path + suffix).is_file():
            response = send_file(path + suffix, mimetype=_mimetype(name), conditional=True)
            response.headers["Content-Encoding"] = encoding
            break
    else:
        response = send_file(path, mimetype=_mimetype(name), conditional=True)
    response.headers.pop("Content-Disposition", None)  # it would name the .br file
    response.headers["Cache-Control"] = IMMUTABLE
    response.vary.add("Accept-Encoding")
    return response


def _mimetype(name: str) -> str:
    if name.endswith(".js"):
        return "text/javascript"
    if name.endswith(".css"):
        return "text/css"
    return "application/octet-stream"
