"""Rows of the `blob` table: which stored files the database knows about."""

from __future__ import annotations

from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import Session

from server.storage.blobs import StoredFile
from server.storage.common import insert_ignoring_duplicates
from server.storage.models import Blob, FormAttachment, SubmissionAttachment


def record_blob(session: Session, stored: StoredFile) -> None:
    insert_ignoring_duplicates(
        session, Blob, {"sha256": stored.sha256, "md5": stored.md5, "size": stored.size}
    )


def find_blob(session: Session, sha256: str) -> Blob | None:
    return session.get(Blob, sha256)


def referenced_hashes(session: Session) -> set[str]:
    """Every file hash a committed row points at (the blob table and both attachment tables)."""
    query: CompoundSelect[tuple[str]] = union(
        select(Blob.sha256),
        select(FormAttachment.blob_sha256).where(FormAttachment.blob_sha256.is_not(None)),
        select(SubmissionAttachment.blob_sha256).where(
            SubmissionAttachment.blob_sha256.is_not(None)
        ),
    )
    return set(session.scalars(query))
