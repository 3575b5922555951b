"""Queries over projects, forms, form versions and their media attachments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import (
    AppUser,
    AppUserForm,
    Blob,
    Form,
    FormAttachment,
    FormState,
    FormVersion,
    Project,
)

LISTED_STATES = (FormState.OPEN,)


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


def forms_with_media(session: Session, version_ids: Sequence[int]) -> set[int]:
    """Which of these versions have at least one uploaded media file."""
    query = select(FormAttachment.form_version_id).where(
        FormAttachment.form_version_id.in_(version_ids),
        FormAttachment.blob_sha256.is_not(None),
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
