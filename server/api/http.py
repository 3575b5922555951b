"""Who is calling the JSON API (bearer token), errors as problem JSON, tables as files."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable

from flask import Response, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from server.api import API_PREFIX
from server.api.schemas import TableSchema
from server.downloads import TABLE_FORMATS, not_modified, table_file
from server.errors import (
    AuthenticationRequired,
    Conflict,
    DatabaseUnavailable,
    Forbidden,
    FormClosed,
    FormVersionNotFound,
    InvalidFilter,
    InvalidInput,
    InvalidSelect,
    NotFound,
    NotSupported,
    RasoatError,
    SelectWithExpand,
    StaleEdit,
    TooManyAttempts,
    UnsupportedExpand,
    UnsupportedFilterField,
    UnsupportedQueryOption,
    XLSFormWarnings,
)
from server.extensions import db_session
from server.formats.tables import Table
from server.query_params import FORMAT, LANG, every_pair
from server.services import accounts
from server.services.accounts import StaffMember
from server.services.areas import visible_area
from server.services.table_versions import table_version
from server.storage.transaction import reading_again, writing

logger = logging.getLogger(__name__)

# ODK Central's problem codes for the families of our errors (odk-central-api.md §2).
# The first family an error belongs to names its code, so the narrower ones come first.
_CENTRAL_CODES: tuple[tuple[type[RasoatError], float], ...] = (
    (AuthenticationRequired, 401.2),
    (Forbidden, 403.1),
    (FormVersionNotFound, 404.6),
    (NotFound, 404.1),
    (FormClosed, 409.2),
    (StaleEdit, 409.9),
    (Conflict, 409.3),
    (InvalidFilter, 400.18),
    (InvalidSelect, 400.23),
    (XLSFormWarnings, 400.16),
    (InvalidInput, 400.8),
    (UnsupportedFilterField, 501.5),
    (UnsupportedExpand, 501.6),
    (SelectWithExpand, 501.11),
    (UnsupportedQueryOption, 501.1),
    (NotSupported, 501.4),
)


def problem(error: RasoatError) -> Response:
    reading_again(db_session())  # nothing of the refused request is kept
    code = next((c for cls, c in _CENTRAL_CODES if isinstance(error, cls)), float(error.status))
    body = {"message": error.message, "code": code, "details": {"error": error.code}}
    response = jsonify(body)
    response.status_code = error.status
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, AuthenticationRequired):
        # The challenge that lets Excel, Power BI and ruODK ask for the e-mail and password.
        realm = str(current_app.config.get("RASOAT_REALM") or "rasoat").replace('"', "")
        response.headers["WWW-Authenticate"] = f'Basic realm="{realm}", charset="UTF-8"'
    return response


def database_unavailable(exc: OperationalError) -> Response:
    """The database stopped answering: 503 and Retry-After, so a script waits and tries again."""
    logger.error("database unavailable on %s: %s", request.endpoint, type(exc.orig).__name__)
    return problem(DatabaseUnavailable())


# Central's codes for Werkzeug's own refusals: no route (404.1), a route without this method.
_HTTP_CODES = {404: 404.1, 405: 405.1}


def http_problem(exc: HTTPException) -> Response:
    """Werkzeug's refusals (no such path, wrong method, body too large) as problem JSON, with
    their headers (Allow on a 405)."""
    status = exc.code or 500
    response = jsonify({"message": exc.description, "code": _HTTP_CODES.get(status, float(status))})
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def unrouted_problem(exc: HTTPException) -> Response | HTTPException:
    """A path under /v1 that no route matches (or with a method none of its routes takes) never
    reaches a blueprint's handler; it answers problem JSON too (pyodk and scripts parse the body),
    and any other path is left as it was."""
    if request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/"):
        return http_problem(exc)
    return exc


def current_user() -> StaffMember:
    """The caller, by a bearer token (`POST /v1/sessions`) or by HTTP Basic (e-mail and
    password on every request)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "basic":
        return _basic_user(token.strip())
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired()
    return accounts.member_for_token(db_session(), token.strip())


def _basic_user(encoded: str) -> StaffMember:
    try:
        pair = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AuthenticationRequired() from exc
    email, colon, password = pair.partition(":")
    if not colon or not email.strip() or not password:
        raise AuthenticationRequired()
    # A wrong password counts towards the lock as on the sign-in page (commit_on keeps it),
    # and a right one clears the failures: both write.
    with writing(db_session(), commit_on=(AuthenticationRequired, TooManyAttempts)):
        return accounts.member_for_password(
            db_session(), email, password, request.remote_addr or ""
        )


def bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def language() -> str:
    return LANG.read() or "vi"


def table_response(
    caller: StaffMember, area_code: str, name: str, build: Callable[[], Table]
) -> Response:
    """The table of an area the caller may see as JSON (default), CSV or XLSX (`?format=`).
    Its ETag names the request and the data's version, so a client that has the current copy
    (`If-None-Match`) gets 304 before the table is built at all."""
    visible_area(db_session(), caller.scope, area_code)  # a 304 is no way round a refusal
    lang, wanted = language(), FORMAT.read() or "json"
    inputs = (
        request.path,
        every_pair(),
        lang,
        caller.scope.code if caller.scope else None,
    )
    etag = f"{table_version(db_session(), inputs)}-{wanted}-{lang}"
    response = not_modified(etag)
    if response is None:
        table = build()
        if wanted in TABLE_FORMATS:
            response = table_file(table, wanted, name, lang)
        else:
            response = jsonify(TableSchema(lang).dump(table))
        response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
