"""ODK Central's app users, roles and form assignments (odk-central-api.md §6), as pyodk's
`projects.create_app_users` and Central's own clients call them. Thin: the rules are the phones
page's, in services/central_admin.py; errors are Central's problem JSON (api/http.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields

from server.api import bp
from server.api.http import current_user
from server.errors import InvalidInput
from server.extensions import db_session
from server.formats.odata import iso
from server.services import central_admin
from server.services.central_admin import AppUserFacts
from server.storage.transaction import writing

PROJECT = "/projects/<int:project_id>"
APP_USER = f"{PROJECT}/app-users/<int:actor_id>"
FORM_ASSIGNMENTS = f"{PROJECT}/forms/<xml_form_id>/assignments"


class AppUserSchema(Schema):
    """Central's App User (an Actor of type `field_key`), with rasoat's `areaCode`: the area
    whose households it may write. `token` only in the answer that creates it."""

    id = fields.Function(lambda f: f.app_user.id)
    type = fields.Constant("field_key")
    displayName = fields.Function(lambda f: f.app_user.display_name)  # noqa: N815
    createdAt = fields.Function(lambda f: iso(f.app_user.created_at))  # noqa: N815
    updatedAt = fields.Constant(None)  # noqa: N815
    deletedAt = fields.Constant(None)  # noqa: N815
    token = fields.Function(lambda f: f.token)
    projectId = fields.Function(lambda f: f.app_user.project_id)  # noqa: N815
    areaCode = fields.Function(lambda f: f.area_code)  # noqa: N815


class NewAppUserSchema(Schema):
    displayName = fields.String(required=True)  # noqa: N815
    areaCode = fields.String(load_default=None, allow_none=True)  # noqa: N815


class RoleSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    system = fields.String()
    createdAt = fields.Constant(None)  # noqa: N815
    updatedAt = fields.Constant(None)  # noqa: N815
    verbs = fields.List(fields.String())


class AssignmentSchema(Schema):
    actorId = fields.Integer(attribute="actor_id")  # noqa: N815
    roleId = fields.Integer(attribute="role_id")  # noqa: N815


class FormAssignmentSchema(AssignmentSchema):
    xmlFormId = fields.String(attribute="xml_form_id")  # noqa: N815


def _new_app_user() -> dict[str, Any]:
    sent = request.get_json(silent=True)
    given: dict[str, Any] = sent if isinstance(sent, dict) else {}
    errors = NewAppUserSchema().validate(given)
    if errors:
        raise InvalidInput(field=", ".join(sorted(errors)), detail=str(errors))
    loaded: dict[str, Any] = NewAppUserSchema().load(given)
    return loaded


def _success() -> Response:
    return jsonify(success=True)


@bp.get("/roles")
def central_roles() -> Response:
    current_user()
    return jsonify(RoleSchema(many=True).dump(central_admin.roles()))


@bp.get("/roles/<role_id>")
def central_role(role_id: str) -> Response:
    current_user()
    return jsonify(RoleSchema().dump(central_admin.role(role_id)))


@bp.get(f"{PROJECT}/app-users")
def central_app_users(project_id: int) -> Response:
    user = current_user()
    found = central_admin.app_users_of(db_session(), user, project_id)
    return jsonify(AppUserSchema(many=True).dump(found))


@bp.post(f"{PROJECT}/app-users")
def central_create_app_user(project_id: int) -> Response:
    user, body = current_user(), _new_app_user()
    with writing(db_session()):
        created = central_admin.create_app_user(
            db_session(),
            user,
            project_id,
            display_name=str(body["displayName"]),
            area_code=body["areaCode"],
            realm=current_app.config["RASOAT_REALM"],
        )
    return jsonify(AppUserSchema().dump(created))


@bp.delete(APP_USER)
def central_revoke_app_user(project_id: int, actor_id: int) -> Response:
    user = current_user()
    with writing(db_session()):
        central_admin.revoke_app_user(db_session(), user, project_id, actor_id)
    return _success()


@bp.get(f"{PROJECT}/assignments/forms")
def central_project_form_assignments(project_id: int) -> Response:
    user = current_user()
    found = central_admin.assignments(db_session(), user, project_id)
    return jsonify(FormAssignmentSchema(many=True).dump(found))


@bp.get(f"{PROJECT}/assignments/forms/<role_id>")
def central_project_form_assignments_of_role(project_id: int, role_id: str) -> Response:
    user = current_user()
    central_admin.role(role_id)  # every assignment is of the app user's role
    found = central_admin.assignments(db_session(), user, project_id)
    return jsonify(FormAssignmentSchema(many=True).dump(found))


@bp.get(FORM_ASSIGNMENTS)
def central_form_assignments(project_id: int, xml_form_id: str) -> Response:
    user = current_user()
    found = central_admin.assignments(db_session(), user, project_id, xml_form_id)
    return jsonify(AssignmentSchema(many=True).dump(found))


@bp.get(f"{FORM_ASSIGNMENTS}/<role_id>")
def central_form_assignees(project_id: int, xml_form_id: str, role_id: str) -> Response:
    """Central answers the actors holding the role on the form, not the assignments."""
    user = current_user()
    central_admin.role(role_id)
    holders = {
        a.actor_id for a in central_admin.assignments(db_session(), user, project_id, xml_form_id)
    }
    actors = [
        AppUserFacts(f.app_user, f.area_code)
        for f in central_admin.app_users_of(db_session(), user, project_id)
        if f.app_user.id in holders
    ]
    return jsonify(AppUserSchema(many=True).dump(actors))


@bp.post(f"{FORM_ASSIGNMENTS}/<role_id>/<int:actor_id>")
def central_assign_form(project_id: int, xml_form_id: str, role_id: str, actor_id: int) -> Response:
    user = current_user()
    with writing(db_session()):
        central_admin.assign(db_session(), user, (project_id, xml_form_id), role_id, actor_id)
    return _success()


@bp.delete(f"{FORM_ASSIGNMENTS}/<role_id>/<int:actor_id>")
def central_unassign_form(
    project_id: int, xml_form_id: str, role_id: str, actor_id: int
) -> Response:
    user = current_user()
    with writing(db_session()):
        central_admin.unassign(db_session(), user, (project_id, xml_form_id), role_id, actor_id)
    return _success()
