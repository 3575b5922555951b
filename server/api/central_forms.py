"""ODK Central's forms by API: create, draft, publish (odk-central-api.md §6), as pyodk's
`forms.create` and `forms.update` call them. Thin: the checks are the forms page's, through
services/central_forms.py; errors are Central's problem JSON (api/http.py)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from server.api import bp
from server.api.central_schemas import FormSchema
from server.api.http import current_user
from server.extensions import blob_store, db_session
from server.query_params import DRAFT_VERSION, IGNORE_WARNINGS, PUBLISH
from server.services import central_forms
from server.storage.transaction import writing

PROJECT = "/projects/<int:project_id>"
DRAFT = f"{PROJECT}/forms/<xml_form_id>/draft"


def _upload() -> central_forms.FormUpload:
    """The definition in the body, read in full before the write unit starts; Central's
    default is to refuse an XLSForm pyxform warns about."""
    return central_forms.FormUpload(
        data=request.get_data(cache=False),
        media_type=(request.mimetype or "").lower(),
        fallback_id=request.headers.get("X-XlsForm-FormId-Fallback"),
        ignore_warnings=IGNORE_WARNINGS.read_flag(False),
    )


@bp.post(f"{PROJECT}/forms")
def central_create_form(project_id: int) -> Response:
    publish, upload, user = PUBLISH.read_flag(False), _upload(), current_user()
    with writing(db_session()):
        created = central_forms.create_form(
            db_session(), blob_store(current_app), user, project_id, upload, publish=publish
        )
    return jsonify(FormSchema().dump(created))


@bp.post(DRAFT)
def central_create_draft(project_id: int, xml_form_id: str) -> Response:
    upload, user = _upload(), current_user()
    with writing(db_session()):
        central_forms.create_draft(
            db_session(), blob_store(current_app), user, (project_id, xml_form_id), upload
        )
    return jsonify(success=True)


@bp.get(DRAFT)
def central_draft(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    found = central_forms.draft(db_session(), user, (project_id, xml_form_id))
    return jsonify(FormSchema().dump(found))


@bp.post(f"{DRAFT}/publish")
def central_publish_draft(project_id: int, xml_form_id: str) -> Response:
    version, user = DRAFT_VERSION.read(), current_user()
    with writing(db_session()):
        central_forms.publish_draft(db_session(), user, (project_id, xml_form_id), version)
    return jsonify(success=True)
