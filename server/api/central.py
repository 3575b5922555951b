"""ODK Central's REST routes (odk-central-api.md): projects, forms, submissions with their
review, comments and files. Thin: the scoping, auditing and ingest are services/central.py's;
errors are Central's problem JSON (api/http.py), whatever the route."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, current_app, jsonify, request

from server.api import bp
from server.api.central_schemas import (
    AttachmentSchema,
    CommentBodySchema,
    CommentSchema,
    FieldSchema,
    FormSchema,
    ProjectSchema,
    ReviewSchema,
    SubmissionSchema,
    feed_page,
    service_document,
)
from server.api.http import current_user
from server.downloads import record_file
from server.errors import InvalidInput, UnsupportedQueryOption
from server.extensions import blob_store, db_session, upstream
from server.query_params import (
    DEVICE_ID,
    ODATA,
    ODATA_COUNT,
    ODATA_EXPAND,
    ODATA_FILTER,
    ODATA_FORMAT,
    ODATA_ORDERBY,
    ODATA_SELECT,
    ODATA_SKIP,
    ODATA_SKIPTOKEN,
    ODATA_TOP,
    ODATA_WKT,
    every_pair,
    odata_options,
)
from server.services import central, web_form_users
from server.services.accounts import StaffMember
from server.services.submissions import IncomingFile
from server.storage.transaction import writing

PROJECT = "/projects/<int:project_id>"
FORM = f"{PROJECT}/forms/<xml_form_id>"
SUBMISSION = f"{FORM}/submissions/<instance_id>"
XML = "application/xml; charset=utf-8"


def _extended() -> bool:
    return request.headers.get("X-Extended-Metadata", "").strip().lower() == "true"


def _json_body(schema: ReviewSchema | CommentBodySchema) -> dict[str, Any]:
    sent = request.get_json(silent=True)
    given: dict[str, Any] = sent if isinstance(sent, dict) else {}
    errors = schema.validate(given)
    if errors:
        raise InvalidInput(field=", ".join(sorted(errors)), detail=str(errors))
    loaded: dict[str, Any] = schema.load(given)
    return loaded


def _xml_body() -> bytes:
    kind = (request.mimetype or "").lower()
    if kind not in ("", "application/xml", "text/xml"):  # a body without a type is read as XML
        raise InvalidInput(field="Content-Type", detail="send the submission as application/xml")
    return request.get_data(cache=False)


def _raw() -> central.RawSubmission:
    # The body is read in full before the write unit starts (docs/architecture.md).
    return central.RawSubmission(_xml_body(), DEVICE_ID.read(), request.user_agent.string or None)


def _forwarding() -> bool:
    """Whether records go on to an upstream server (queued in the write unit that stores them)."""
    return upstream(current_app) is not None


def _sender(user: StaffMember) -> central.Sender:
    """The officer and their own app user (their web form's), which the record is sent as."""
    app_user, _ = web_form_users.officer_app_user(
        db_session(),
        user,
        secret=str(current_app.config["SECRET_KEY"]).encode(),
        realm=current_app.config["RASOAT_REALM"],
    )
    return user, app_user


@bp.get("/projects")
def central_projects() -> Response:
    user = current_user()
    return jsonify(ProjectSchema(many=True).dump(central.projects(db_session(), user)))


@bp.get(PROJECT)
def central_project(project_id: int) -> Response:
    user = current_user()
    return jsonify(ProjectSchema().dump(central.project(db_session(), user, project_id)))


@bp.get(f"{PROJECT}/forms")
def central_forms(project_id: int) -> Response:
    user, extended = current_user(), _extended()
    listed = central.forms(db_session(), user, project_id, extended)
    return jsonify(FormSchema(extended, many=True).dump(listed))


@bp.get(FORM)
def central_form(project_id: int, xml_form_id: str) -> Response:
    user, extended = current_user(), _extended()
    found = central.form(db_session(), user, (project_id, xml_form_id), extended)
    return jsonify(FormSchema(extended).dump(found))


@bp.get(f"{FORM}.xml")
def central_form_xml(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    return Response(central.form_xml(db_session(), user, (project_id, xml_form_id)), mimetype=XML)


@bp.get(f"{FORM}/versions")
def central_form_versions(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    found = central.versions(db_session(), user, (project_id, xml_form_id))
    return jsonify(FormSchema(many=True).dump(found))


@bp.get(f"{FORM}/fields")
def central_form_fields(project_id: int, xml_form_id: str) -> Response:
    odata = (ODATA.read() or "").lower() == "true"
    user = current_user()
    found = central.fields(db_session(), user, (project_id, xml_form_id), odata)
    return jsonify(FieldSchema(many=True).dump(found))


@bp.get(f"{FORM}/submissions")
def central_submissions(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    with writing(db_session()):  # reading records writes their audit event
        rows = central.submissions(db_session(), user, (project_id, xml_form_id))
    return jsonify(SubmissionSchema(many=True).dump(rows))


@bp.post(f"{FORM}/submissions")
def central_create_submission(project_id: int, xml_form_id: str) -> Response:
    raw, user = _raw(), current_user()
    with writing(db_session()):
        created = central.create(
            db_session(),
            blob_store(current_app),
            _sender(user),
            (project_id, xml_form_id),
            raw,
            forward=_forwarding(),
        )
    return jsonify(SubmissionSchema().dump(created))


@bp.get(SUBMISSION)
def central_submission(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    with writing(db_session()):
        found = central.submission(db_session(), user, (project_id, xml_form_id, instance_id))
    return jsonify(SubmissionSchema().dump(found))


@bp.put(SUBMISSION)
def central_edit_submission(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    raw, user = _raw(), current_user()
    address = (project_id, xml_form_id, instance_id)
    with writing(db_session()):
        edited = central.edit(
            db_session(),
            blob_store(current_app),
            _sender(user),
            address,
            raw,
            forward=_forwarding(),
        )
    return jsonify(SubmissionSchema().dump(edited))


@bp.patch(SUBMISSION)
def central_review_submission(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    state = _json_body(ReviewSchema())["reviewState"]
    address = (project_id, xml_form_id, instance_id)
    with writing(db_session()):
        found = central.set_review_state(db_session(), user, address, state)
    return jsonify(SubmissionSchema().dump(found))


@bp.get(f"{SUBMISSION}.xml")
def central_submission_xml(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    with writing(db_session()):
        xml = central.submission_xml(db_session(), user, (project_id, xml_form_id, instance_id))
    return Response(xml, mimetype=XML)


@bp.get(f"{SUBMISSION}/comments")
def central_comments(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    with writing(db_session()):
        found = central.comments(db_session(), user, (project_id, xml_form_id, instance_id))
    return jsonify(CommentSchema(many=True).dump(found))


@bp.post(f"{SUBMISSION}/comments")
def central_add_comment(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    body = str(_json_body(CommentBodySchema())["body"])
    address = (project_id, xml_form_id, instance_id)
    with writing(db_session()):
        added = central.add_comment(db_session(), user, address, body)
    return jsonify(CommentSchema().dump(added))


@bp.get(f"{SUBMISSION}/attachments")
def central_attachments(project_id: int, xml_form_id: str, instance_id: str) -> Response:
    user = current_user()
    with writing(db_session()):
        found = central.attachments(db_session(), user, (project_id, xml_form_id, instance_id))
    return jsonify(AttachmentSchema(many=True).dump(found))


@bp.get(f"{SUBMISSION}/attachments/<name>")
def central_attachment(project_id: int, xml_form_id: str, instance_id: str, name: str) -> Response:
    user = current_user()
    address = (project_id, xml_form_id, instance_id, name)
    with writing(db_session()):  # reading a file writes its audit event
        found = central.attachment(db_session(), blob_store(current_app), user, address)
    return record_file(found)


@bp.post(f"{SUBMISSION}/attachments/<name>")
def central_upload_attachment(
    project_id: int, xml_form_id: str, instance_id: str, name: str
) -> Response:
    # The body is read in full before the write unit starts (docs/architecture.md).
    upload = IncomingFile(name, io.BytesIO(request.get_data(cache=False)), request.mimetype or None)
    user = current_user()
    address = (project_id, xml_form_id, instance_id, name)
    with writing(db_session()):
        central.add_attachment(
            db_session(),
            blob_store(current_app),
            _sender(user),
            address,
            upload,
            forward=_forwarding(),
        )
    return jsonify(success=True)


# --- The OData feed ------------------------------------------------------------------------------

ODATA_JSON = "application/json; odata.metadata=minimal"
# The options a feed reads; any other `$`-option is refused with Central's 501.1.
_FEED_OPTIONS = {
    "$top", "$skip", "$count", "$wkt", "$filter", "$format", "$select", "$skiptoken",
    "$orderby", "$expand",
}  # fmt: skip


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _odata(response: Response) -> Response:
    response.headers["OData-Version"] = "4.0"
    return response


def _service_root(xml_form_id: str) -> str:
    """The absolute URL of the form's service, `…/forms/<id>.svc`."""
    path = request.path
    return request.host_url.rstrip("/") + path[: path.index(".svc") + len(".svc")]


@bp.get(f"{FORM}.svc")
def odata_service(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    tables = central.feed_tables(db_session(), user, (project_id, xml_form_id))
    response = jsonify(service_document(_service_root(xml_form_id), tables))
    response.content_type = ODATA_JSON
    return _odata(response)


@bp.get(f"{FORM}.svc/$metadata")
def odata_metadata(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    document = central.feed_metadata(db_session(), user, (project_id, xml_form_id))
    return _odata(Response(document, mimetype="application/xml"))


@bp.get(f"{FORM}.svc/<table>")
def odata_table(project_id: int, xml_form_id: str, table: str) -> Response:
    unknown = sorted(set(odata_options()) - _FEED_OPTIONS)
    if unknown:
        raise UnsupportedQueryOption(what=", ".join(unknown))
    ODATA_FORMAT.read()
    query = central.FeedQuery(
        table=table,
        top=ODATA_TOP.read(),
        skip=ODATA_SKIP.read() or 0,
        count=_true(ODATA_COUNT.read()),
        filter=ODATA_FILTER.read(),
        wkt=_true(ODATA_WKT.read()),
        select=ODATA_SELECT.read(),
        skiptoken=ODATA_SKIPTOKEN.read(),
        orderby=ODATA_ORDERBY.read(),
        expand=ODATA_EXPAND.read(),
    )
    user = current_user()
    with writing(db_session()):  # reading records writes their audit event
        page = central.feed(db_session(), user, (project_id, xml_form_id), query)
    root = _service_root(xml_form_id)
    next_link = None
    moved = ("$skip", "$top", "$skiptoken")
    kept = [(k, v) for k, v in every_pair() if k not in moved]
    if page.next_token is not None:  # a cursor, stable while records arrive
        pairs = [*kept, ("$top", str(query.top)), ("$skiptoken", page.next_token)]
        next_link = f"{root}/{quote(table)}?{urlencode(pairs)}"
    body = feed_page(root, table, page.rows, page.count, next_link)
    response = jsonify(body)
    response.content_type = ODATA_JSON
    return _odata(response)
