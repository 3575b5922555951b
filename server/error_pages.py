"""Errors as HTML pages, for the surfaces people read in a browser (the staff pages and the web
form); the JSON API and OpenRosa answer in their own shapes (api/http.py, openrosa/http.py)."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

from server.errors import RasoatError
from server.extensions import db_session
from server.storage.transaction import reading_again


def error_page(error: RasoatError) -> tuple[str, int]:
    reading_again(db_session())  # the page is rendered in a fresh transaction
    return render_template("error.html", message=error.message, status=error.status), error.status


def http_error_page(error: HTTPException) -> tuple[str, int]:
    """Werkzeug's own refusals (404 of an unknown path, 405, 413…) in the same page."""
    status = error.code or 500
    return render_template("error.html", message=error.description, status=status), status
