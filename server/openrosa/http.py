"""Who is calling, and how OpenRosa responses look (headers, errors, absolute URLs)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import http_date

from server.errors import AuthenticationRequired, RasoatError, TooLarge
from server.extensions import db_session
from server.formats import openrosa as xml
from server.openrosa import digest
from server.query_params import DEVICE_ID
from server.services import app_users
from server.services.app_users import Phone
from server.storage.transaction import reading_again

logger = logging.getLogger(__name__)

XML_TYPE = "text/xml; charset=utf-8"


def caller(token: str | None, project_id: int | None) -> Phone:
    """The app user behind this request: by token in the path, else by Digest."""
    if token is not None and project_id is not None:
        return app_users.authenticate_token(db_session(), token, project_id)
    return _digest_user()


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _request_uri() -> str:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    query = request.query_string.decode("latin-1")
    return quote(request.path) + (f"?{query}" if query else "")


def _digest_user() -> Phone:
    auth = request.authorization
    creds = None
    if auth is not None and auth.type == "digest":
        p = auth.parameters
        creds = digest.DigestCredentials(
            username=p.get("username") or "",
            realm=p.get("realm") or "",
            nonce=p.get("nonce") or "",
            uri=p.get("uri") or "",
            response=p.get("response") or "",
            qop=p.get("qop"),
            nc=p.get("nc"),
            cnonce=p.get("cnonce"),
        )
    found: dict[str, Phone] = {}

    def ha1_for(login: str) -> str | None:
        user = app_users.find_digest_user(db_session(), login)
        if user is not None:
            found[login] = user
        return user.digest_ha1 if user is not None else None

    try:
        login = digest.verify(
            creds,
            method=request.method,
            request_uri=_request_uri(),
            realm=current_app.config["RASOAT_REALM"],
            secret=_secret(),
            ha1_for=ha1_for,
        )
    except digest.DigestRefused as exc:
        error = AuthenticationRequired()
        error.params["stale"] = exc.stale
        raise error from exc
    return found[login]


def base_for(token: str | None, project_id: int | None) -> str:
    """Absolute prefix for links, keeping the token prefix the phone was given (§0.6)."""
    base = current_app.config["RASOAT_BASE_URL"]
    if token is not None:
        return f"{base}/v1/key/{token}/projects/{project_id}"
    return str(base)


def device_id() -> str | None:
    return DEVICE_ID.read()


def xml_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type=XML_TYPE)


def add_openrosa_headers(response: Response) -> Response:
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers.setdefault("Date", http_date())
    if request.endpoint and request.endpoint.endswith(("form_list", "manifest")):
        # Revalidate every time so a stale form list is never reused from Collect's cache.
        response.headers["Cache-Control"] = "private, no-cache"
    if request.endpoint and request.endpoint.endswith("submission"):
        limit = current_app.config["RASOAT_ADVERTISED_SUBMISSION_BYTES"]
        response.headers["X-OpenRosa-Accept-Content-Length"] = str(limit)
    return response


def error_response(error: RasoatError) -> Response:
    reading_again(db_session())  # after a lost connection too: the next request starts clean
    if error.status >= 500:
        logger.error("openrosa %s failed: %s", request.endpoint, error.code)
    else:
        logger.info("openrosa %s refused: %s", request.endpoint, error.code)
    response = xml_response(xml.response(error.message, error=True), error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, AuthenticationRequired):
        response.headers["WWW-Authenticate"] = digest.challenge(
            current_app.config["RASOAT_REALM"], _secret(), stale=bool(error.params.get("stale"))
        )
    return response


def http_error_response(exc: HTTPException) -> Response:
    """Werkzeug's own errors (413, 405, unparseable bodies) as OpenRosa XML too."""
    if isinstance(exc, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return error_response(TooLarge(what="The request", limit=limit))
    text = f"{exc.code} {exc.name}: {exc.description}"
    response = xml_response(xml.response(text, error=True), exc.code or 500)
    if exc.code == 405 and (allowed := getattr(exc, "valid_methods", None)):
        response.headers["Allow"] = ", ".join(allowed)
    return response
