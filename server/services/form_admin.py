"""Forms as administrators manage them on the pages: upload a draft, try it (read its questions,
or fill it in the web form with its media), publish, close and reopen, versions with who
published them. Every change is audited.

Phones only ever see published versions of open forms; a draft stays on the server until it
is published (publishing it is what a phone's next form-list refresh picks up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server import xlsform
from server.domain.vocabulary import FormState, Role
from server.errors import InvalidInput, NotFound
from server.formats.xform_outline import Outline, read_outline
from server.services import forms, phone_forms
from server.services.accounts import StaffMember, require_whole_province
from server.services.phone_lists import ListsFor
from server.storage import accounts as audit
from server.storage import forms as queries
from server.storage.blobs import BlobStore
from server.storage.models import Form, FormVersion

PROJECT_ID = forms.DEFAULT_PROJECT_ID
# Who may see the forms pages and try a draft; only administrators without an area change
# anything (accounts.require_whole_province).
VIEWERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER)
# What an administrator may set by hand; a draft only leaves "draft" by being published.
SETTABLE = (FormState.OPEN, FormState.CLOSING, FormState.CLOSED)


@dataclass(frozen=True)
class FormRow:
    form: Form
    current: FormVersion | None
    draft: FormVersion | None


@dataclass(frozen=True)
class VersionRow:
    version: FormVersion
    published_by: str | None  # None: published from the command line or at start-up
    current: bool


def _target(form_id: str, version: str) -> str:
    return f"form {form_id} version {version}"


def form_rows(session: Session) -> list[FormRow]:
    return [
        FormRow(
            form, queries.published_version(session, form), queries.find_draft(session, form.id)
        )
        for form in queries.forms_of(session, PROJECT_ID)
    ]


def get_form(session: Session, xml_form_id: str) -> Form:
    form = queries.find_form(session, PROJECT_ID, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    return form


def version_rows(session: Session, form: Form) -> list[VersionRow]:
    versions = queries.versions_of(session, form.id)
    targets = [_target(form.xml_form_id, v.version) for v in versions]
    by = queries.who_did(session, "form.publish", targets)
    return [
        VersionRow(v, by.get(t), v.id == form.published_version_id)
        for v, t in zip(versions, targets, strict=True)
    ]


def get_version(session: Session, form: Form, version: str) -> FormVersion:
    found = queries.find_version_with_file(session, form.id, version)
    if found is None:
        raise NotFound(what=f"version {version} of form {form.xml_form_id}")
    return found


def outline_of(version: FormVersion) -> Outline:
    return read_outline(version.xform)


def get_draft(session: Session, xml_form_id: str) -> FormVersion:
    """The form's draft (its XForm loaded when read), to be tried before it is published."""
    draft = queries.find_draft(session, get_form(session, xml_form_id).id)
    if draft is None:
        raise NotFound(what=f"draft of form {xml_form_id}")
    return draft


def draft_media_file(
    session: Session, xml_form_id: str, name: str, area_id: int | None
) -> phone_forms.MediaFile:
    """A media file of the draft as a phone of `area_id` would get it once it is published."""
    draft = get_draft(session, xml_form_id)
    files = phone_forms.version_media(session, draft, ListsFor(area_id))
    return phone_forms.named(files, name)


def upload_draft(
    session: Session,
    blobs: BlobStore,
    member: StaffMember,
    data: bytes,
    filename: str,
    media: Mapping[str, bytes] | None = None,
    project_id: int = PROJECT_ID,
) -> forms.Published:
    """Compile an uploaded XLSForm and keep it as the form's draft (InvalidXLSForm names the
    sheet and row of each problem); the pages' project unless the API names another."""
    require_whole_province(member)
    forms.ensure_default_project(session)
    # ODK Validate (JavaRosa, the engine of Collect) catches XPath errors pyxform lets through;
    # it needs Java, which a small server may lack: then pyxform's checks alone apply.
    staged = forms.stage_draft(
        session,
        blobs,
        project_id=project_id,
        data=data,
        filename=filename,
        media=media,
        validate=xlsform.odk_validate_available(),
    )
    if staged.created:
        details = f"{staged.version.xlsform_filename}, XForm md5 {staged.version.xform_md5}"
        target = _target(staged.form.xml_form_id, staged.version.version)
        audit.record(session, member.id, "form.draft", target, details)
    return staged


def publish(
    session: Session, member: StaffMember, xml_form_id: str, project_id: int = PROJECT_ID
) -> FormVersion:
    require_whole_province(member)
    version = forms.publish_draft(session, project_id, xml_form_id)
    details = f"XForm md5 {version.xform_md5}"
    audit.record(session, member.id, "form.publish", _target(xml_form_id, version.version), details)
    return version


def set_state(session: Session, member: StaffMember, xml_form_id: str, state: FormState) -> Form:
    require_whole_province(member)
    form = get_form(session, xml_form_id)
    if state not in SETTABLE or form.published_version_id is None:
        # Opening (or closing) a form that was never published would list nothing to phones.
        raise InvalidInput(field="state", detail="publish the draft first")
    before = form.state
    forms.set_form_state(session, PROJECT_ID, xml_form_id, state)
    audit.record(session, member.id, "form.state", f"form {xml_form_id}", f"{before} → {state}")
    return form
