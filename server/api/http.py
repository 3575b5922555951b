"""Who is calling the JSON API (bearer token), errors as problem JSON, tables as files."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from server.api.schemas import TableSchema
from server.errors import (
    AuthenticationRequired,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RasoatError,
)
from server.extensions import db
from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import Table
from server.services import accounts
from server.storage.models import User
from server.storage.transaction import reading_again

# ODK Central's problem codes for the families of our errors (odk-central-api.md §2).
_CENTRAL_CODES: tuple[tuple[type[RasoatError], float], ...] = (
    (AuthenticationRequired, 401.2),
    (Forbidden, 403.1),
    (NotFound, 404.1),
    (Conflict, 409.3),
    (InvalidInput, 400.8),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem(error: RasoatError) -> tuple[Response, int]:
    reading_again(db.session)  # nothing of the refused request is kept
    code = next((c for cls, c in _CENTRAL_CODES if isinstance(error, cls)), float(error.status))
    body = {"message": error.message, "code": code, "details": {"error": error.code}}
    return jsonify(body), error.status


def http_problem(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    return jsonify({"message": exc.description, "code": float(status)}), status


def current_user() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired()
    return accounts.user_for_token(db.session, token.strip())


def bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def language() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def table_response(table: Table, filename: str) -> Response:
    """The table as JSON (default), CSV or XLSX (`?format=`), with an ETag of its content so a
    client that has it already (`If-None-Match`) gets 304 and nothing else."""
    lang, wanted = language(), request.args.get("format", "json")
    table = replace(table, rows=list(table.rows))
    as_csv = csv_bytes(table, lang)
    etag = hashlib.sha256(as_csv).hexdigest()[:32] + f"-{wanted}-{lang}"
    if wanted == "csv":
        response = Response(as_csv, mimetype="text/csv", headers=_attachment(filename, "csv"))
    elif wanted == "xlsx":
        response = Response(
            _xlsx(table, lang), mimetype=XLSX, headers=_attachment(filename, "xlsx")
        )
    else:
        response = jsonify(TableSchema(lang).dump(table))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def _xlsx(table: Table, lang: str) -> bytes:
    import io

    out = io.BytesIO()
    write_xlsx([table], out, lang)
    return out.getvalue()


def _attachment(filename: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}.{extension}"'}
