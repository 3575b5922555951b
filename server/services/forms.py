"""Publishing XLSForms as form versions, and the forms shipped in `forms/`.

A version string is published once: the same version with other content is refused, so a
phone that holds version V always holds exactly the bytes the server calls V.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from server import xlsform
from server.domain.vocabulary import FormState
from server.errors import FormVersionExists, InvalidXLSForm, NotFound, RasoatError
from server.services.phone_lists import GENERATED
from server.storage import forms as queries
from server.storage.blobs import BlobStore
from server.storage.files import record_blob
from server.storage.models import Form, FormVersion, Project, utcnow
from server.storage.transaction import savepoint

logger = logging.getLogger(__name__)

DEFAULT_PROJECT_ID = 1
DEFAULT_PROJECT_NAME = "Rà soát hộ nghèo, cận nghèo"
ITEMSETS = "itemsets.csv"


@dataclass(frozen=True)
class Published:
    form: Form
    version: FormVersion
    created: bool
    warnings: tuple[str, ...] = ()


@dataclass
class ShippedFormsReport:
    published: list[Published] = field(default_factory=list)
    failed: dict[str, RasoatError] = field(default_factory=dict)


def ensure_default_project(session: Session) -> Project:
    return queries.ensure_project(session, DEFAULT_PROJECT_ID, DEFAULT_PROJECT_NAME)


def _media_md5s(media: Mapping[str, bytes]) -> dict[str, str]:
    return {n: hashlib.md5(b, usedforsecurity=False).hexdigest() for n, b in media.items()}


def _stored_media_md5s(session: Session, version: FormVersion) -> dict[str, str]:
    return {a.name: b.md5 for a, b in queries.media_of(session, version.id)}


def _compile(
    data: bytes, filename: str, media: Mapping[str, bytes] | None, validate: bool
) -> tuple[xlsform.CompiledForm, dict[str, bytes]]:
    """The compiled form and the media files it names (lists built per phone left out)."""
    compiled = xlsform.compile_xlsform(data, filename, validate=validate)
    files = dict(media or {})
    if compiled.itemsets_csv is not None:
        files[ITEMSETS] = compiled.itemsets_csv
    # Lists the server builds per phone are never stored, whatever was uploaded under that name.
    named = compiled.facts.media_names
    return compiled, {n: b for n, b in files.items() if n in named and n not in GENERATED}


def _same_published(
    session: Session, form: Form, compiled: xlsform.CompiledForm, files: Mapping[str, bytes]
) -> FormVersion | None:
    """The published version with this version string when its content is the same; a version
    string with other content is refused."""
    same = queries.find_form_version(session, form.id, compiled.facts.version)
    if same is None:
        return None
    unchanged = same.xform_md5 == _md5(compiled.xform) and _stored_media_md5s(
        session, same
    ) == _media_md5s(files)
    if not unchanged:
        raise FormVersionExists(form_id=compiled.facts.form_id, version=compiled.facts.version)
    return same


def _add_version(
    session: Session,
    blobs: BlobStore,
    form: Form,
    compiled: xlsform.CompiledForm,
    upload: tuple[bytes, str, Mapping[str, bytes]],
    published_at: datetime | None,
) -> FormVersion:
    data, filename, files = upload
    facts = compiled.facts
    # A new draft replaces the old one; a version published directly (command line, forms/)
    # replaces only a draft of the same version string (the unique key is form + version).
    queries.delete_drafts(session, form.id, facts.version if published_at else None)
    new = queries.NewFormVersion(
        version=facts.version,
        title=facts.title,
        xlsform=data,
        xlsform_filename=Path(filename).name,
        xform=compiled.xform,
        xform_md5=_md5(compiled.xform),
        binary_paths=facts.binary_paths,
        published_at=published_at,
    )
    media = _stored_media(session, blobs, facts.media_names, files)
    return queries.add_version(session, form.id, new, media)


def _make_current(session: Session, form: Form, version: FormVersion) -> None:
    """Phones get this version from now on; a form never published opens."""
    state = FormState.OPEN if form.state == FormState.DRAFT else FormState(form.state)
    queries.make_current(session, form, version, state)


def _upload(
    session: Session,
    blobs: BlobStore,
    project_id: int,
    upload: tuple[bytes, str, Mapping[str, bytes] | None],
    *,
    validate: bool,
    publish: bool,
) -> Published:
    data, filename, media = upload
    if queries.find_project(session, project_id) is None:
        raise NotFound(what=f"project {project_id}")
    compiled, files = _compile(data, filename, media, validate)
    warnings = tuple(str(w) for w in compiled.warnings)
    form = queries.form_for(session, project_id, compiled.facts.form_id, compiled.facts.title)
    if (same := _same_published(session, form, compiled, files)) is not None:
        return Published(form, same, created=False, warnings=warnings)
    published_at = utcnow() if publish else None
    version = _add_version(session, blobs, form, compiled, (data, filename, files), published_at)
    if publish:
        _make_current(session, form, version)
        logger.info("published form %s version %s", form.xml_form_id, version.version)
    return Published(form, version, created=True, warnings=warnings)


def publish_xlsform(
    session: Session,
    blobs: BlobStore,
    *,
    project_id: int,
    data: bytes,
    filename: str,
    media: Mapping[str, bytes] | None = None,
    validate: bool = False,
) -> Published:
    """Compile and publish an XLSForm with its media; unchanged content is a no-op."""
    upload = (data, filename, media)
    return _upload(session, blobs, project_id, upload, validate=validate, publish=True)


def stage_draft(
    session: Session,
    blobs: BlobStore,
    *,
    project_id: int,
    data: bytes,
    filename: str,
    media: Mapping[str, bytes] | None = None,
    validate: bool = False,
) -> Published:
    """Keep an XLSForm as the form's draft (replacing an earlier draft) without publishing it:
    phones do not see it until `publish_draft`. An already published identical version is
    returned as it is (`created` False). `validate` also runs ODK Validate."""
    upload = (data, filename, media)
    return _upload(session, blobs, project_id, upload, validate=validate, publish=False)


def publish_draft(session: Session, project_id: int, xml_form_id: str) -> FormVersion:
    """The form's draft becomes its published version (a form never published opens)."""
    form = queries.find_form(session, project_id, xml_form_id)
    draft = queries.find_draft(session, form.id) if form is not None else None
    if form is None or draft is None:
        raise NotFound(what=f"draft of form {xml_form_id}")
    _make_current(session, form, draft)
    logger.info("published form %s version %s", xml_form_id, draft.version)
    return draft


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _stored_media(
    session: Session, blobs: BlobStore, expected: tuple[str, ...], files: Mapping[str, bytes]
) -> dict[str, str | None]:
    """Each media file the form names → the hash of the uploaded file, put in the blob store
    (None when nobody uploaded it)."""
    media: dict[str, str | None] = {}
    for name in expected:
        media[name] = None
        if name in files:
            stored = blobs.put_bytes(files[name])
            record_blob(session, stored)
            media[name] = stored.sha256
    return media


def set_form_state(session: Session, project_id: int, xml_form_id: str, state: FormState) -> Form:
    form = queries.find_form(session, project_id, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    queries.set_state(session, form, state)
    return form


def shipped_media(forms_dir: Path, xlsform_path: Path) -> dict[str, bytes]:
    """Media for forms/<stem>.xlsx live in forms/media/<stem>/."""
    folder = forms_dir / "media" / xlsform_path.stem
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def shipped_xlsforms(forms_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in forms_dir.iterdir()
        if p.suffix.lower() in xlsform.SUFFIXES and not p.name.startswith(("~$", "."))
    )


def publish_shipped_forms(
    session: Session, blobs: BlobStore, forms_dir: Path, project_id: int = DEFAULT_PROJECT_ID
) -> ShippedFormsReport:
    """Publish every XLSForm in `forms_dir` that is new or changed; report failures per file."""
    report = ShippedFormsReport()
    for path in shipped_xlsforms(forms_dir):
        try:
            with savepoint(session):
                report.published.append(
                    publish_xlsform(
                        session,
                        blobs,
                        project_id=project_id,
                        data=path.read_bytes(),
                        filename=path.name,
                        media=shipped_media(forms_dir, path),
                    )
                )
        except (InvalidXLSForm, FormVersionExists) as exc:
            report.failed[path.name] = exc
    return report
