"""The JSON shapes of ODK Central's REST API (odk-central-api.md §3, §5): every key pyodk's
models require, with Central's names, times as `toISOString()` writes them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from server.formats.odata import iso
from server.services.central import FormFacts, SubmissionFacts, central_state, form_state


def _time(attribute: str) -> fields.Function:
    return fields.Function(lambda obj: iso(getattr(obj, attribute)))


class ProjectSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.Constant(None)
    archived = fields.Constant(False)
    keyId = fields.Constant(None)  # noqa: N815 (ODK Central's names)
    createdAt = _time("created_at")  # noqa: N815
    updatedAt = fields.Constant(None)  # noqa: N815
    deletedAt = fields.Constant(None)  # noqa: N815


def _version(facts: FormFacts) -> str:
    return facts.version.version if facts.version else ""


class FormSchema(Schema):
    """One Form at one version; with `extended`, Central's X-Extended-Metadata counts."""

    projectId = fields.Function(lambda f: f.form.project_id)  # noqa: N815
    xmlFormId = fields.Function(lambda f: f.form.xml_form_id)  # noqa: N815
    name = fields.Function(lambda f: f.version.title if f.version else f.form.title)
    version = fields.Function(_version)
    enketoId = fields.Constant(None)  # noqa: N815
    enketoOnceId = fields.Constant(None)  # noqa: N815
    hash = fields.Function(lambda f: f.version.xform_md5 if f.version else "")
    sha = fields.Constant(None)
    sha256 = fields.Constant(None)
    draftToken = fields.Constant(None)  # noqa: N815
    keyId = fields.Constant(None)  # noqa: N815
    state = fields.Function(lambda f: form_state(f.form))
    publishedAt = fields.Function(  # noqa: N815
        lambda f: iso(f.version.published_at) if f.version else None
    )
    createdAt = fields.Function(lambda f: iso(f.form.created_at))  # noqa: N815
    updatedAt = fields.Function(lambda f: iso(f.form.updated_at))  # noqa: N815
    webformsEnabled = fields.Constant(False)  # noqa: N815

    def __init__(self, extended: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.extended = extended

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        dumped = super().dump(obj, many=many)
        if not self.extended:
            return dumped
        pairs = zip(dumped, obj, strict=True) if many else [(dumped, obj)]
        for out, facts in pairs:
            out["submissions"] = facts.submissions
            out["lastSubmission"] = iso(facts.last_submission)
            out["excelContentType"] = None
            out["entityRelated"] = False
            out["createdBy"] = None
        return dumped


class FieldSchema(Schema):
    name = fields.String()
    path = fields.String()
    type = fields.String()
    binary = fields.Boolean()
    selectMultiple = fields.Boolean(attribute="select_multiple")  # noqa: N815


def _version_of(facts: SubmissionFacts) -> dict[str, Any]:
    current = facts.current
    return {
        "instanceId": current.instance_id,
        "instanceName": current.instance_name,
        "submitterId": current.app_user_id or 0,
        "deviceId": current.device_id,
        "userAgent": current.user_agent,
        "createdAt": iso(current.received_at),
        "current": True,
    }


class SubmissionSchema(Schema):
    """Central's submission: the record (its first instanceID), its current version inside."""

    instanceId = fields.Function(lambda f: f.submission.instance_id)  # noqa: N815
    submitterId = fields.Function(lambda f: f.submission.app_user_id or 0)  # noqa: N815
    deviceId = fields.Function(lambda f: f.current.device_id)  # noqa: N815
    userAgent = fields.Function(lambda f: f.current.user_agent)  # noqa: N815
    instanceName = fields.Function(lambda f: f.current.instance_name)  # noqa: N815
    reviewState = fields.Function(central_state)  # noqa: N815
    createdAt = fields.Function(lambda f: iso(f.submission.created_at))  # noqa: N815
    updatedAt = fields.Function(  # noqa: N815
        lambda f: iso(f.current.received_at) if f.edits else None
    )
    deletedAt = fields.Constant(None)  # noqa: N815
    currentVersion = fields.Function(_version_of)  # noqa: N815


class CommentSchema(Schema):
    body = fields.String()
    actorId = fields.Integer(attribute="user_id")  # noqa: N815
    createdAt = _time("at")  # noqa: N815


class AttachmentSchema(Schema):
    name = fields.String()
    exists = fields.Boolean()


class ReviewSchema(Schema):
    reviewState = fields.String(required=True, allow_none=True)  # noqa: N815


class CommentBodySchema(Schema):
    body = fields.String(required=True)


def service_document(service_root: str, tables: list[str]) -> dict[str, Any]:
    """The OData service document: every table of the form's feed."""
    return {
        "@odata.context": f"{service_root}/$metadata",
        "value": [{"name": t, "kind": "EntitySet", "url": t} for t in tables],
    }


def feed_page(
    service_root: str,
    table: str,
    rows: list[dict[str, Any]],
    count: int | None,
    next_link: str | None,
) -> dict[str, Any]:
    """One page of a table: its rows, the context, the link to the next page, the count."""
    page: dict[str, Any] = {"value": rows, "@odata.context": f"{service_root}/$metadata#{table}"}
    if next_link is not None:
        page["@odata.nextLink"] = next_link
    if count is not None:
        page["@odata.count"] = count
    return page
