"""Publishing XLSForms as form versions, and the forms shipped in `forms/`.

A version string is published once: the same version with other content is refused, so a
phone that holds version V always holds exactly the bytes the server calls V.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from server import xlsform
from server.errors import FormVersionExists, InvalidXLSForm, NotFound, RasoatError
from server.services.phone_lists import GENERATED
from server.storage import forms as queries
from server.storage.blobs import BlobStore
from server.storage.files import record_blob
from server.storage.models import Form, FormAttachment, FormState, FormVersion, Project, utcnow

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
    project = queries.find_project(session, DEFAULT_PROJECT_ID)
    if project is None:
        project = Project(id=DEFAULT_PROJECT_ID, name=DEFAULT_PROJECT_NAME)
        session.add(project)
        session.flush()
    return project


def _media_md5s(media: Mapping[str, bytes]) -> dict[str, str]:
    return {n: hashlib.md5(b, usedforsecurity=False).hexdigest() for n, b in media.items()}


def _stored_media_md5s(session: Session, version: FormVersion) -> dict[str, str]:
    return {a.name: b.md5 for a, b in queries.media_of(session, version.id)}


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
    if queries.find_project(session, project_id) is None:
        raise NotFound(what=f"project {project_id}")
    compiled = xlsform.compile_xlsform(data, filename, validate=validate)
    facts = compiled.facts
    files = dict(media or {})
    if compiled.itemsets_csv is not None:
        files[ITEMSETS] = compiled.itemsets_csv
    # Lists the server builds per phone are never stored, whatever was uploaded under that name.
    files = {
        name: body
        for name, body in files.items()
        if name in facts.media_names and name not in GENERATED
    }
    warnings = tuple(str(w) for w in compiled.warnings)
    form = queries.find_form(session, project_id, facts.form_id)
    if form is not None:
        same = queries.find_form_version(session, form.id, facts.version)
        if same is not None:
            unchanged = same.xform_md5 == _md5(compiled.xform) and _stored_media_md5s(
                session, same
            ) == _media_md5s(files)
            if not unchanged:
                raise FormVersionExists(form_id=facts.form_id, version=facts.version)
            return Published(form, same, created=False, warnings=warnings)
    else:
        form = Form(project_id=project_id, xml_form_id=facts.form_id, title=facts.title)
        session.add(form)
        session.flush()
    version = FormVersion(
        form_id=form.id,
        version=facts.version,
        title=facts.title,
        xlsform=data,
        xlsform_filename=Path(filename).name,
        xform=compiled.xform,
        xform_md5=_md5(compiled.xform),
        binary_paths="\n".join(facts.binary_paths),
        published_at=utcnow(),
    )
    session.add(version)
    session.flush()
    _attach_media(session, blobs, version, facts.media_names, files)
    form.published_version_id, form.title, form.updated_at = version.id, facts.title, utcnow()
    if form.state == FormState.DRAFT:
        form.state = FormState.OPEN
    logger.info("published form %s version %s", facts.form_id, facts.version)
    return Published(form, version, created=True, warnings=warnings)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _attach_media(
    session: Session,
    blobs: BlobStore,
    version: FormVersion,
    expected: tuple[str, ...],
    files: Mapping[str, bytes],
) -> None:
    for name in expected:
        sha = None
        if name in files:
            stored = blobs.put_bytes(files[name])
            record_blob(session, stored)
            sha = stored.sha256
        session.add(FormAttachment(form_version_id=version.id, name=name, blob_sha256=sha))


def set_form_state(session: Session, project_id: int, xml_form_id: str, state: FormState) -> Form:
    form = queries.find_form(session, project_id, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    form.state, form.updated_at = state, utcnow()
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
            with session.begin_nested():
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
