"""Headers that keep pages from being framed, sniffed or leaking their address.

Every page comes with a Content-Security-Policy that allows only rasoat's own scripts, styles,
images and connections and forbids framing (clickjacking a signed-in officer into approving or
deleting records). What the web form's engine needs is allowed explicitly: ODK Web Forms
injects its component styles at run time, compiles its XPath grammar from WebAssembly, shows
photos taken in the browser from blob: and data: URLs, draws a map from OpenStreetMap's tiles
and runs a service worker from /f/sw.js. The referrer stays on this server: a web-form address
carries the phone's token.
"""

from __future__ import annotations

from flask import Flask, Response

# The web form's map (a geopoint question) draws OpenStreetMap's tiles when the line is up.
MAP_TILES = "https://tile.openstreetmap.org"
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {MAP_TILES}",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Data (XML, JSON, CSV, XLSX, files) is never a document to frame or run.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
_DOCUMENTS = ("text/html", "text/javascript", "application/javascript")


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    document = response.mimetype in _DOCUMENTS
    # A route that chose its own policy (an attachment shown sandboxed) keeps it.
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if document else DATA_POLICY)
    return response


def install(app: Flask) -> None:
    app.after_request(_secure)
