"""ODK Central's dataset routes, read side, over the household registry (dataset
`households`): `datasets`, one dataset, its `entities`, one entity, and the `households.svc`
OData service. Thin: services/household_entities. Writes are not routed (405 in Central's
JSON): a household changes only through a review's record."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields

from server.api import bp
from server.api.central_schemas import feed_page, service_document
from server.api.http import current_user
from server.api.odata_http import next_link, odata_response, paging, service_root, versioned
from server.errors import NotFound
from server.extensions import db_session
from server.formats.entity_feed import ENTITIES
from server.formats.odata import iso
from server.services import household_entities as registry
from server.storage.transaction import writing

DATASETS = "/projects/<int:project_id>/datasets"
DATASET = f"{DATASETS}/<name>"


class DatasetSchema(Schema):
    """Central's dataset: the list's items, and with `properties` and the forms the one."""

    name = fields.String()
    createdAt = fields.Function(lambda d: iso(d.created_at))  # noqa: N815 (Central's names)
    projectId = fields.Integer(attribute="project_id")  # noqa: N815
    approvalRequired = fields.Constant(False)  # noqa: N815
    ownerOnly = fields.Constant(False)  # noqa: N815


class DatasetDetailSchema(DatasetSchema):
    sourceForms = fields.Method("_no_forms")  # noqa: N815 (no form makes households entities)
    linkedForms = fields.Method("_no_forms")  # noqa: N815
    properties = fields.Method("_properties")

    def _no_forms(self, _dataset: registry.Dataset) -> list[str]:
        return []

    def _properties(self, dataset: registry.Dataset) -> list[dict[str, Any]]:
        made = iso(dataset.created_at)
        return [
            {"name": p, "odataName": p, "publishedAt": made, "forms": []}
            for p in dataset.properties
        ]


class EntitySchema(Schema):
    """Central's entity; `currentVersion.data` only on the one entity (`with_data`)."""

    uuid = fields.String()
    creatorId = fields.Constant(0)  # noqa: N815 (made by the registry, no one's API call)
    createdAt = fields.Function(lambda e: iso(e.created_at))  # noqa: N815
    updatedAt = fields.Function(lambda e: iso(e.updated_at))  # noqa: N815
    deletedAt = fields.Constant(None)  # noqa: N815
    conflict = fields.Constant(None)
    currentVersion = fields.Method("_current")  # noqa: N815

    def __init__(self, with_data: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.with_data = with_data

    def _current(self, entity: registry.Entity) -> dict[str, Any]:
        version: dict[str, Any] = {
            "label": entity.label,
            "current": True,
            "createdAt": iso(entity.updated_at or entity.created_at),
            "creatorId": 0,
            "userAgent": "",
            "version": entity.version,
            "baseVersion": entity.version - 1 or None,
            "conflictingProperties": None,
        }
        if self.with_data:
            version["data"] = entity.data
        return version


@bp.get(DATASETS)
def central_datasets(project_id: int) -> Response:
    user = current_user()
    found = registry.datasets(db_session(), user, project_id)
    return jsonify(DatasetSchema(many=True).dump(found))


@bp.get(DATASET)
def central_dataset(project_id: int, name: str) -> Response:
    user = current_user()
    found = registry.dataset(db_session(), user, project_id, name)
    return jsonify(DatasetDetailSchema().dump(found))


@bp.get(f"{DATASET}/entities")
def central_entities(project_id: int, name: str) -> Response:
    user = current_user()
    with writing(db_session()):  # reading households writes its audit event
        found = registry.entities(db_session(), user, project_id, name)
    return jsonify(EntitySchema(many=True).dump(found))


@bp.get(f"{DATASET}/entities/<uuid>")
def central_entity(project_id: int, name: str, uuid: str) -> Response:
    user = current_user()
    with writing(db_session()):
        found = registry.entity(db_session(), user, (project_id, name, uuid))
    return jsonify(EntitySchema(with_data=True).dump(found))


@bp.get(f"{DATASET}.svc")
def entities_service(project_id: int, name: str) -> Response:
    user = current_user()
    registry.metadata(db_session(), user, project_id, name)  # the dataset, and who may read it
    return odata_response(service_document(service_root(), [ENTITIES]))


@bp.get(f"{DATASET}.svc/$metadata")
def entities_metadata(project_id: int, name: str) -> Response:
    user = current_user()
    document = registry.metadata(db_session(), user, project_id, name)
    return versioned(Response(document, mimetype="application/xml"))


@bp.get(f"{DATASET}.svc/<table>")
def entities_table(project_id: int, name: str, table: str) -> Response:
    options = paging()
    query = registry.EntityQuery(options.top, options.skip, options.count, options.filter)
    user = current_user()
    if table != ENTITIES:
        registry.metadata(db_session(), user, project_id, name)  # a refusal before a 404
        raise NotFound(what=f"table {table}")
    with writing(db_session()):  # reading households writes its audit event
        page = registry.feed(db_session(), user, (project_id, name), query)
    found = None
    if page.next_skip is not None:
        found = next_link(table, query.top, page.next_skip)
    return odata_response(feed_page(service_root(), table, page.rows, page.count, found))
