"""Errors as HTML pages, for the surfaces people read in a browser (the staff pages and the web
form); the JSON API and OpenRosa answer in their own shapes (api/http.py, openrosa/http.py)."""

from __future__ import annotations

import logging

from flask import Response, g, make_response, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from server.errors import DatabaseUnavailable, RasoatError
from server.extensions import db_session
from server.storage.transaction import reading_again

logger = logging.getLogger(__name__)


def error_page(error: RasoatError) -> Response:
    reading_again(db_session())  # the page is rendered in a fresh transaction
    page = render_template("error.html", message=error.message, status=error.status)
    response = make_response(page, error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def http_error_page(error: HTTPException) -> tuple[str, int]:
    """Werkzeug's own refusals (404 of an unknown path, 405, 413…) in the same page."""
    status = error.code or 500
    return render_template("error.html", message=error.description, status=status), status


def database_unavailable_page(exc: OperationalError) -> Response:
    """The database stopped answering: 503 with a page saying to try again, never a 500."""
    logger.error("database unavailable on %s: %s", request.endpoint, type(exc.orig).__name__)
    if "_login_user" not in g:
        # The page's menu asks who is signed in; that question goes to the database that has
        # just failed. The page is shown as to someone signed out.
        g._login_user = AnonymousUserMixin()
    return error_page(DatabaseUnavailable())
