"""What a phone may download: the form list, form definitions and their media files."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.domain.vocabulary import FormState
from server.errors import AttachmentNotFound, FormNotAllowed, FormNotFound
from server.services.phone_lists import GENERATED, ListsFor
from server.storage import forms as queries
from server.storage.models import AppUser, FormVersion

# Closing forms still accept submissions, and a phone that lists them before they closed may
# still fetch them; closed and draft forms are gone from the phone's point of view.
DOWNLOADABLE_STATES = (FormState.OPEN, FormState.CLOSING)


@dataclass(frozen=True)
class ListedForm:
    xml_form_id: str
    title: str
    version: str
    md5: str
    has_media: bool


@dataclass(frozen=True)
class MediaFile:
    """A stored file (`sha256` names it in the blob store) or one generated for this phone
    (`content` holds it)."""

    name: str
    md5: str
    size: int
    sha256: str | None = None
    content: bytes | None = None


def listed_forms(
    session: Session, app_user: AppUser, only_form_id: str | None = None
) -> list[ListedForm]:
    rows = queries.forms_listed_for(session, app_user)
    if only_form_id:
        rows = [(f, v) for f, v in rows if f.xml_form_id == only_form_id]
    with_media = queries.forms_with_media(session, [v.id for _, v in rows], list(GENERATED))
    return [
        ListedForm(
            f.xml_form_id, v.title or f.xml_form_id, v.version, v.xform_md5, v.id in with_media
        )
        for f, v in rows
    ]


def downloadable_version(session: Session, app_user: AppUser, xml_form_id: str) -> FormVersion:
    form = queries.find_form(session, app_user.project_id, xml_form_id)
    if form is None or form.state not in DOWNLOADABLE_STATES:
        raise FormNotFound(form_id=xml_form_id)
    if not queries.may_use_form(session, app_user, form):
        raise FormNotAllowed(form_id=xml_form_id)
    version = queries.published_version(session, form)
    if version is None:
        raise FormNotFound(form_id=xml_form_id)
    return version


def media_files(session: Session, app_user: AppUser, xml_form_id: str) -> Sequence[MediaFile]:
    version = downloadable_version(session, app_user, xml_form_id)
    return version_media(session, version, ListsFor(app_user.area_id, app_user.display_name))


def version_media(session: Session, version: FormVersion, phone: ListsFor) -> Sequence[MediaFile]:
    """The files a version names: those uploaded with it, and the lists built for `phone`."""
    stored = {
        attachment.name: MediaFile(attachment.name, blob.md5, blob.size, sha256=blob.sha256)
        for attachment, blob in queries.media_of(session, version.id)
    }
    files = []
    for attachment in queries.expected_media(session, version.id):
        if attachment.name in GENERATED:
            files.append(_generated(session, phone, attachment.name))
        elif attachment.name in stored:
            files.append(stored[attachment.name])
    return files


def _generated(session: Session, phone: ListsFor, name: str) -> MediaFile:
    content = GENERATED[name](session, phone)
    md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    return MediaFile(name, md5, len(content), content=content)


def named(files: Sequence[MediaFile], name: str) -> MediaFile:
    for item in files:
        if item.name == name:
            return item
    raise AttachmentNotFound(name=name)


def media_file(session: Session, app_user: AppUser, xml_form_id: str, name: str) -> MediaFile:
    return named(media_files(session, app_user, xml_form_id), name)


def published_forms(session: Session) -> list[ListedForm]:
    """Open forms of every project, for the public landing page (no personal data)."""
    return [
        ListedForm(f.xml_form_id, v.title or f.xml_form_id, v.version, v.xform_md5, False)
        for f, v in queries.open_forms(session)
    ]
