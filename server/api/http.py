"""Who is calling the JSON API (bearer token), errors as problem JSON, tables as files."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from server.api.schemas import TableSchema
from server.downloads import TABLE_FORMATS, not_modified, table_file
from server.errors import (
    AuthenticationRequired,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RasoatError,
)
from server.extensions import db_session
from server.formats.tables import Table
from server.services import accounts
from server.services.accounts import StaffMember
from server.services.areas import visible_area
from server.services.table_versions import table_version
from server.storage.transaction import reading_again

# ODK Central's problem codes for the families of our errors (odk-central-api.md §2).
_CENTRAL_CODES: tuple[tuple[type[RasoatError], float], ...] = (
    (AuthenticationRequired, 401.2),
    (Forbidden, 403.1),
    (NotFound, 404.1),
    (Conflict, 409.3),
    (InvalidInput, 400.8),
)


def problem(error: RasoatError) -> tuple[Response, int]:
    reading_again(db_session())  # nothing of the refused request is kept
    code = next((c for cls, c in _CENTRAL_CODES if isinstance(error, cls)), float(error.status))
    body = {"message": error.message, "code": code, "details": {"error": error.code}}
    return jsonify(body), error.status


def http_problem(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    return jsonify({"message": exc.description, "code": float(status)}), status


def current_user() -> StaffMember:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired()
    return accounts.member_for_token(db_session(), token.strip())


def bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def language() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def table_response(
    caller: StaffMember, area_code: str, name: str, build: Callable[[], Table]
) -> Response:
    """The table of an area the caller may see as JSON (default), CSV or XLSX (`?format=`).
    Its ETag names the request and the data's version, so a client that has the current copy
    (`If-None-Match`) gets 304 before the table is built at all."""
    visible_area(db_session(), caller.scope, area_code)  # a 304 is no way round a refusal
    lang, wanted = language(), request.args.get("format", "json")
    inputs = (
        request.path,
        sorted(request.args.items(multi=True)),
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
