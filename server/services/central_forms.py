"""ODK Central's forms by API (odk-central-api.md §6): create a form, keep a draft of a new
version, read it, publish it; pyodk's `forms.create` and `forms.update` call these.

Nothing here is a second path: every upload is the forms page's (`form_admin.upload_draft`:
pyxform and ODK Validate, the same checks, the error naming the sheet and row; only an
administrator without an area; audited) and every publication is the page's
(`form_admin.publish`). What Central does that rasoat does not:

- **Only XLSForms.** rasoat keeps each version as the XLSForm it was built from (the pages hand
  it out, the shipped forms are XLSForms); an XForm XML body is refused naming Content-Type.
- **The version is the XLSForm's.** `?version=` on publish may only repeat the draft's own
  version: Central rewrites the XForm, which would make the stored XLSForm say otherwise.
  So an empty draft body (Central: "the published version again, to publish under a new
  version") is refused too, naming the body.
- **No draft attachments yet** (`.../draft/attachments/{name}`): a form naming media files is
  uploaded with them on the forms page.

The caller commits; an upload refused half-way leaves nothing behind (its write unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from sqlalchemy.orm import Session

from server.errors import (
    Forbidden,
    FormExists,
    InvalidInput,
    NotFound,
    VersionAlreadyPublished,
    XLSFormWarnings,
)
from server.services import form_admin
from server.services.accounts import StaffMember, require_whole_province
from server.services.central import FormFacts
from server.services.central_admin import form_in_project
from server.services.forms import Published
from server.storage import forms as form_queries
from server.storage.blobs import BlobStore

# The body types pyodk sends for an XLSForm, and the file suffix pyxform reads each as.
XLSFORM_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
}
XFORM_TYPES = ("application/xml", "text/xml")


@dataclass(frozen=True)
class FormUpload:
    """A form definition as sent: its bytes, their Content-Type, the id pyodk suggests for an
    XLSForm without one (`X-XlsForm-FormId-Fallback`), and whether warnings may be ignored."""

    data: bytes
    media_type: str
    fallback_id: str | None
    ignore_warnings: bool


def _filename(upload: FormUpload) -> str:
    """The name pyxform compiles the XLSForm under: its suffix says the format, its stem is the
    form id when the settings sheet names none (as Central uses the fallback header)."""
    suffix = XLSFORM_TYPES.get(upload.media_type)
    if suffix is None:
        detail = (
            "send the form as an XLSForm (.xlsx or .xls): rasoat keeps every version as its XLSForm"
            if upload.media_type in XFORM_TYPES
            else f"{upload.media_type or 'none'} is no XLSForm type"
        )
        raise InvalidInput(field="Content-Type", detail=detail)
    if not upload.data:
        raise InvalidInput(field="body", detail="send the XLSForm of the new version")
    fallback = unquote(upload.fallback_id or "")  # pyodk sends it URL-quoted
    stem = "".join(c for c in fallback if c.isalnum() or c in "_-") or "form"
    return stem + suffix


def _staged(
    session: Session, blobs: BlobStore, member: StaffMember, project_id: int, upload: FormUpload
) -> Published:
    if form_queries.find_project(session, project_id) is None:
        raise NotFound(what=f"project {project_id}")
    filename = _filename(upload)
    staged = form_admin.upload_draft(
        session, blobs, member, upload.data, filename, project_id=project_id
    )
    if staged.warnings and not upload.ignore_warnings:
        raise XLSFormWarnings(warnings="; ".join(staged.warnings))
    return staged


def create_form(
    session: Session,
    blobs: BlobStore,
    member: StaffMember,
    project_id: int,
    upload: FormUpload,
    *,
    publish: bool,
) -> FormFacts:
    """A new form of the project, as a draft or (`publish`) published at once."""
    require_whole_province(member)  # before the body is looked at: a refusal says nothing more
    known = {form.xml_form_id for form in form_queries.forms_of(session, project_id)}
    staged = _staged(session, blobs, member, project_id, upload)
    if staged.form.xml_form_id in known:
        raise FormExists(form_id=staged.form.xml_form_id)
    version = staged.version
    if publish:
        version = form_admin.publish(session, member, staged.form.xml_form_id, project_id)
    return FormFacts(staged.form, version)


def create_draft(
    session: Session,
    blobs: BlobStore,
    member: StaffMember,
    address: tuple[int, str],
    upload: FormUpload,
) -> None:
    """A new version of an existing form, kept as its draft (replacing an earlier draft)."""
    project_id, xml_form_id = address
    require_whole_province(member)
    form_in_project(session, project_id, xml_form_id)
    staged = _staged(session, blobs, member, project_id, upload)
    if staged.form.xml_form_id != xml_form_id:
        raise InvalidInput(
            field="form_id",
            detail=f"the XLSForm is the form {staged.form.xml_form_id}, not {xml_form_id}",
        )
    if not staged.created:  # the published version, unchanged: no draft was kept
        raise VersionAlreadyPublished(form_id=xml_form_id, version=staged.version.version)


def draft(session: Session, member: StaffMember, address: tuple[int, str]) -> FormFacts:
    """The form's draft, for those who may try drafts on the pages."""
    project_id, xml_form_id = address
    if member.role not in form_admin.VIEWERS:  # as the forms pages
        raise Forbidden()
    form = form_in_project(session, project_id, xml_form_id)
    found = form_queries.find_draft(session, form.id)
    if found is None:
        raise NotFound(what=f"draft of form {xml_form_id}")
    return FormFacts(form, found)


def publish_draft(
    session: Session, member: StaffMember, address: tuple[int, str], version: str | None
) -> None:
    project_id, xml_form_id = address
    require_whole_province(member)
    form = form_in_project(session, project_id, xml_form_id)
    found = form_queries.find_draft(session, form.id)
    if found is None:
        raise NotFound(what=f"draft of form {xml_form_id}")
    if version is not None and version != found.version:
        raise InvalidInput(
            field="version",
            detail=f"the draft is version {found.version}, as its XLSForm's settings sheet says",
        )
    form_admin.publish(session, member, xml_form_id, project_id)
