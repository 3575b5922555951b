"""OpenRosa routes: form list, form and media download, manifest, submission (openrosa.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from server.domain.vocabulary import ReviewState
from server.errors import (
    InvalidMultipart,
    MissingInstanceFile,
    RasoatError,
    ServiceUnavailable,
    TooLarge,
)
from server.extensions import blob_store, db_session, upstream
from server.formats import openrosa as xml
from server.media_files import media_response
from server.openrosa import bp
from server.openrosa.http import (
    add_openrosa_headers,
    base_for,
    caller,
    device_id,
    error_response,
    http_error_response,
    xml_response,
)
from server.query_params import FORM_ID
from server.services import phone_forms
from server.services.submissions import (
    IncomingFile,
    IncomingSubmission,
    Outcome,
    checked_attachment_name,
    receive_submission,
)
from server.storage.transaction import writing

INSTANCE_PART = "xml_submission_file"
_PREFIXES = ("/v1/key/<token>/projects/<int:project_id>", "")

_SUCCESS = {
    Outcome.CREATED: "Đã nhận phiếu. / Submission received.",
    Outcome.EDITED: "Đã nhận bản sửa của phiếu. / Edited submission received.",
    Outcome.ATTACHMENTS_ADDED: "Đã nhận thêm tệp đính kèm. / Attachments received.",
    Outcome.DUPLICATE: "Phiếu này đã được nhận trước đó. / This submission was already received.",
}


_SET_ASIDE = (
    "Đã nhận phiếu, nhưng phiếu có vấn đề nên chưa vào sổ hộ; cán bộ xã sẽ xem lại."
    " / Received, but the record has issues and is not in the registry yet; an officer will"
    " look at it:"
)

View = Callable[..., Response]


def route(rule: str, **options: Any) -> Callable[[View], View]:
    """Register a view under both the app-user token layout and the plain Digest layout."""

    def register(view: View) -> View:
        for prefix in _PREFIXES:
            bp.add_url_rule(prefix + rule, view_func=view, **options)
        return view

    return register


bp.after_request(add_openrosa_headers)
bp.register_error_handler(RasoatError, error_response)
bp.register_error_handler(HTTPException, http_error_response)


@bp.errorhandler(OperationalError)
def _database_unavailable(_exc: OperationalError) -> Response:
    return error_response(ServiceUnavailable())


@route("/formList", methods=["GET"])
def form_list(token: str | None = None, project_id: int | None = None) -> Response:
    app_user = caller(token, project_id)
    base = base_for(token, project_id)
    entries = [
        xml.FormListEntry(
            form_id=f.xml_form_id,
            name=f.title,
            version=f.version,
            md5=f.md5,
            download_url=f"{base}/forms/{quote(f.xml_form_id, safe='')}.xml",
            manifest_url=f"{base}/forms/{quote(f.xml_form_id, safe='')}/manifest"
            if f.has_media
            else None,
        )
        for f in phone_forms.listed_forms(db_session(), app_user, FORM_ID.read())
    ]
    return xml_response(xml.form_list(entries))


@route("/forms/<xml_form_id>.xml", methods=["GET"])
def form_xml(xml_form_id: str, token: str | None = None, project_id: int | None = None) -> Response:
    version = phone_forms.downloadable_version(db_session(), caller(token, project_id), xml_form_id)
    response = xml_response(version.xform)
    response.set_etag(version.xform_md5)
    response.make_conditional(request)  # in place: 304 when the phone has this version
    return response


@route("/forms/<xml_form_id>/manifest", methods=["GET"])
def manifest(xml_form_id: str, token: str | None = None, project_id: int | None = None) -> Response:
    files = phone_forms.media_files(db_session(), caller(token, project_id), xml_form_id)
    base = f"{base_for(token, project_id)}/forms/{quote(xml_form_id, safe='')}/attachments"
    entries = [xml.MediaFileEntry(f.name, f.md5, f"{base}/{quote(f.name, safe='')}") for f in files]
    return xml_response(xml.manifest(entries))


@route("/forms/<xml_form_id>/attachments/<name>", methods=["GET"])
def media(
    xml_form_id: str, name: str, token: str | None = None, project_id: int | None = None
) -> Response:
    app_user = caller(token, project_id)
    return media_response(phone_forms.media_file(db_session(), app_user, xml_form_id, name))


@route("/submission", methods=["GET", "POST"])
def submission(token: str | None = None, project_id: int | None = None) -> Response:
    if request.method != "POST":
        # The pre-flight HEAD (Flask answers HEAD through GET): 204 plus the size limit.
        caller(token, project_id)
        return Response(status=204)
    # The body is read in full (Werkzeug spools large parts to temporary files) before the
    # write transaction starts, so a slow phone on 2G never holds a database lock.
    incoming = _incoming_submission()
    with writing(db_session()):
        app_user = caller(token, project_id)
        receipt = receive_submission(
            db_session(),
            blob_store(current_app),
            app_user,
            incoming,
            forward=upstream(current_app) is not None,
        )
    status = 202 if receipt.outcome == Outcome.DUPLICATE else 201
    if receipt.issues is None:
        return xml_response(xml.response(_SUCCESS[receipt.outcome]), status)
    # Stored and safe, so still a success for Collect; its message tells the cadre that an
    # officer must look at the record, and a header tells programs (rasoat sync, forwarding).
    message = f"{_SET_ASIDE} {receipt.issues}"
    response = xml_response(xml.response(message), status)
    response.headers[xml.REVIEW_STATE_HEADER] = ReviewState.HAS_ISSUES.value
    return response


def _incoming_submission() -> IncomingSubmission:
    if request.mimetype != "multipart/form-data":
        raise InvalidMultipart(
            reason=f"expected multipart/form-data, got {request.mimetype or 'no content type'}",
            reason_vi="cần kiểu multipart/form-data",
        )
    return IncomingSubmission(
        xml=_instance_xml(),
        files=[
            _attachment(key, part)
            for key, part in request.files.items(multi=True)
            if key != INSTANCE_PART
        ],
        incomplete=request.form.get("*isIncomplete*", "").lower() == "yes",
        device_id=device_id(),
        user_agent=request.headers.get("User-Agent"),
    )


def _instance_xml() -> bytes:
    limit = current_app.config["RASOAT_MAX_INSTANCE_XML_BYTES"]
    part = request.files.get(INSTANCE_PART)
    if part is not None:
        data = part.stream.read(limit + 1)
    elif INSTANCE_PART in request.form:
        data = request.form[INSTANCE_PART].encode("utf-8")
    else:
        raise MissingInstanceFile()
    if len(data) > limit:
        raise TooLarge(what="The instance XML", limit=limit)
    if not data.strip():
        raise MissingInstanceFile()
    return data


def _attachment(key: str, part: Any) -> IncomingFile:
    # Collect sends field name == file name (§3.2); both must be plain names, the field wins.
    name = checked_attachment_name(key)
    if part.filename:
        checked_attachment_name(part.filename)
    declared = part.headers.get("Content-Length")
    return IncomingFile(
        name=name,
        stream=part.stream,
        content_type=part.mimetype or None,
        declared_size=int(declared) if declared and declared.isdigit() else None,
    )
