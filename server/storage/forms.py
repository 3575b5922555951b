"""Queries over projects, forms, form versions and their media attachments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, undefer

from server.domain.vocabulary import FormState
from server.storage.models import (
    AppUser,
    AppUserForm,
    AuditEvent,
    Blob,
    Form,
    FormAttachment,
    FormVersion,
    Project,
    User,
    utcnow,
)

LISTED_STATES = (FormState.OPEN,)


@dataclass(frozen=True)
class NewFormVersion:
    """An uploaded XLSForm as compiled, to be kept as a version of its form."""

    version: str
    title: str
    xlsform: bytes
    xlsform_filename: str
    xform: bytes
    xform_md5: str
    binary_paths: tuple[str, ...]
    published_at: datetime | None  # None: a draft


def ensure_project(session: Session, project_id: int, name: str) -> Project:
    project = find_project(session, project_id)
    if project is None:
        project = Project(id=project_id, name=name)
        session.add(project)
        session.flush()
    return project


def form_for(session: Session, project_id: int, xml_form_id: str, title: str) -> Form:
    """The project's form with this id, created (titled `title`) on its first upload."""
    form = find_form(session, project_id, xml_form_id)
    if form is None:
        form = Form(project_id=project_id, xml_form_id=xml_form_id, title=title)
        session.add(form)
        session.flush()
    return form


def add_version(
    session: Session, form_id: int, new: NewFormVersion, media: Mapping[str, str | None]
) -> FormVersion:
    """A new version of the form with the media files it names (name → blob hash, None for a
    file nobody uploaded)."""
    version = FormVersion(
        form_id=form_id,
        version=new.version,
        title=new.title,
        xlsform=new.xlsform,
        xlsform_filename=new.xlsform_filename,
        xform=new.xform,
        xform_md5=new.xform_md5,
        binary_paths="\n".join(new.binary_paths),
        published_at=new.published_at,
    )
    session.add(version)
    session.flush()
    session.add_all(
        FormAttachment(form_version_id=version.id, name=name, blob_sha256=sha)
        for name, sha in media.items()
    )
    return version


def make_current(session: Session, form: Form, version: FormVersion, state: FormState) -> None:
    """The version is the one phones get (published now if it was a draft); the form takes its
    title and `state`."""
    if version.published_at is None:
        version.published_at = utcnow()
    form.published_version_id, form.title, form.updated_at = version.id, version.title, utcnow()
    form.state = state


def set_state(session: Session, form: Form, state: FormState) -> None:
    form.state, form.updated_at = state, utcnow()


def find_project(session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def find_form(session: Session, project_id: int, xml_form_id: str) -> Form | None:
    query = select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id)
    return session.scalars(query).first()


def find_form_version(session: Session, form_id: int, version: str) -> FormVersion | None:
    query = select(FormVersion).where(
        FormVersion.form_id == form_id,
        FormVersion.version == version,
        FormVersion.published_at.is_not(None),
    )
    return session.scalars(query).first()


def find_version_by_id(session: Session, version_id: int) -> FormVersion | None:
    return session.get(FormVersion, version_id)


def published_version(session: Session, form: Form) -> FormVersion | None:
    if form.published_version_id is None:
        return None
    return session.get(FormVersion, form.published_version_id)


def forms_listed_for(session: Session, app_user: AppUser) -> Sequence[tuple[Form, FormVersion]]:
    """Open forms with a published version that this app user may use, by title."""
    query = (
        select(Form, FormVersion)
        .join(FormVersion, FormVersion.id == Form.published_version_id)
        .where(Form.project_id == app_user.project_id, Form.state.in_(LISTED_STATES))
        .order_by(Form.title, Form.xml_form_id)
    )
    if not app_user.all_forms:
        allowed = select(AppUserForm.form_id).where(AppUserForm.app_user_id == app_user.id)
        query = query.where(Form.id.in_(allowed))
    return [(form, version) for form, version in session.execute(query)]


def may_use_form(session: Session, app_user: AppUser, form: Form) -> bool:
    if form.project_id != app_user.project_id:
        return False
    if app_user.all_forms:
        return True
    query = select(AppUserForm).where(
        AppUserForm.app_user_id == app_user.id, AppUserForm.form_id == form.id
    )
    return session.scalars(query).first() is not None


def media_of(session: Session, form_version_id: int) -> Sequence[tuple[FormAttachment, Blob]]:
    """The uploaded media files of a version (files it names but nobody uploaded are left out)."""
    query = (
        select(FormAttachment, Blob)
        .join(Blob, Blob.sha256 == FormAttachment.blob_sha256)
        .where(FormAttachment.form_version_id == form_version_id)
        .order_by(FormAttachment.name)
    )
    return [(attachment, blob) for attachment, blob in session.execute(query)]


def expected_media(session: Session, form_version_id: int) -> Sequence[FormAttachment]:
    query = select(FormAttachment).where(FormAttachment.form_version_id == form_version_id)
    return list(session.scalars(query.order_by(FormAttachment.name)))


def forms_with_media(
    session: Session, version_ids: Sequence[int], generated: Sequence[str]
) -> set[int]:
    """Which of these versions have a media file to serve: uploaded, or generated by name."""
    query = select(FormAttachment.form_version_id).where(
        FormAttachment.form_version_id.in_(version_ids),
        or_(FormAttachment.blob_sha256.is_not(None), FormAttachment.name.in_(generated)),
    )
    return set(session.scalars(query))


def open_forms(session: Session) -> Sequence[tuple[Form, FormVersion]]:
    query = (
        select(Form, FormVersion)
        .join(FormVersion, FormVersion.id == Form.published_version_id)
        .where(Form.state.in_(LISTED_STATES))
        .order_by(Form.title)
    )
    return [(form, version) for form, version in session.execute(query)]


def find_draft(session: Session, form_id: int) -> FormVersion | None:
    """The form's draft: a version uploaded but not published (at most one per form)."""
    query = select(FormVersion).where(
        FormVersion.form_id == form_id, FormVersion.published_at.is_(None)
    )
    return session.scalars(query).first()


def delete_drafts(session: Session, form_id: int, version: str | None = None) -> None:
    """Remove the form's drafts (only the one with this version string when given)."""
    query = select(FormVersion.id).where(
        FormVersion.form_id == form_id, FormVersion.published_at.is_(None)
    )
    if version is not None:
        query = query.where(FormVersion.version == version)
    ids = list(session.scalars(query))
    if ids:
        session.execute(delete(FormAttachment).where(FormAttachment.form_version_id.in_(ids)))
        session.execute(delete(FormVersion).where(FormVersion.id.in_(ids)))
        session.expire_all()


def forms_of(session: Session, project_id: int) -> Sequence[Form]:
    query = select(Form).where(Form.project_id == project_id)
    return list(session.scalars(query.order_by(Form.title, Form.xml_form_id)))


def versions_of(session: Session, form_id: int) -> Sequence[FormVersion]:
    """Every version of a form, the draft first, then the newest published."""
    query = select(FormVersion).where(FormVersion.form_id == form_id)
    order = (FormVersion.published_at.is_not(None), FormVersion.published_at.desc())
    return list(session.scalars(query.order_by(*order, FormVersion.id.desc())))


def find_version_with_file(session: Session, form_id: int, version: str) -> FormVersion | None:
    """A version (draft or published) with its XLSForm and XForm bytes loaded."""
    query = (
        select(FormVersion)
        .where(FormVersion.form_id == form_id, FormVersion.version == version)
        .options(undefer(FormVersion.xlsform), undefer(FormVersion.xform))
    )
    return session.scalars(query).first()


def who_did(session: Session, action: str, targets: Sequence[str]) -> dict[str, str]:
    """The name of the person who last did `action` to each target, from the audit log."""
    query = (
        select(AuditEvent.target, User.display_name)
        .join(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.action == action, AuditEvent.target.in_(targets))
        .order_by(AuditEvent.at)
    )
    return dict(session.execute(query).tuples().all())


def all_projects(session: Session) -> Sequence[Project]:
    return list(session.scalars(select(Project).order_by(Project.id)))
