"""Queries for forwarding stored submissions upstream: which versions exist, and one version's
XML and file hashes exactly as stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import Form, SubmissionAttachment, SubmissionVersion
from server.storage.submissions import StoredInstance


def complete_versions(session: Session) -> list[tuple[int, str, str]]:
    """(version id, form id, instanceID) of every complete version, in the order stored, so
    that an edit comes after the version it replaces. No XML: this is the cheap side of a scan."""
    query = (
        select(SubmissionVersion.id, Form.xml_form_id, SubmissionVersion.instance_id)
        .join(Form, Form.id == SubmissionVersion.form_id)
        .where(SubmissionVersion.complete.is_(True))
        .order_by(SubmissionVersion.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def find_version_id(session: Session, xml_form_id: str, instance_id: str) -> int | None:
    """The complete version with this instanceID (None while a split upload is unfinished)."""
    query = (
        select(SubmissionVersion.id)
        .join(Form, Form.id == SubmissionVersion.form_id)
        .where(
            Form.xml_form_id == xml_form_id,
            SubmissionVersion.instance_id == instance_id,
            SubmissionVersion.complete.is_(True),
        )
    )
    return session.scalars(query.order_by(SubmissionVersion.id)).first()


def stored_instance(session: Session, version_id: int) -> StoredInstance | None:
    row = session.execute(
        select(SubmissionVersion, Form.xml_form_id)
        .join(Form, Form.id == SubmissionVersion.form_id)
        .where(SubmissionVersion.id == version_id)
    ).first()
    if row is None:
        return None
    version: SubmissionVersion = row[0]
    files = session.execute(
        select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
        .where(
            SubmissionAttachment.submission_version_id == version_id,
            SubmissionAttachment.blob_sha256.is_not(None),
        )
        .order_by(SubmissionAttachment.id)
    )
    return StoredInstance(
        version_id=version.id,
        xml_form_id=row[1],
        instance_id=version.instance_id,
        deprecated_id=version.deprecated_id,
        xml=version.xml,
        files=tuple((str(name), str(sha)) for name, sha in files),
    )
