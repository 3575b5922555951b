"""Queries over submissions, their XML versions and attachments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import Submission, SubmissionAttachment, SubmissionVersion


def find_version(session: Session, form_id: int, instance_id: str) -> SubmissionVersion | None:
    query = select(SubmissionVersion).where(
        SubmissionVersion.form_id == form_id, SubmissionVersion.instance_id == instance_id
    )
    return session.scalars(query).first()


def lock_submission(session: Session, submission_id: int) -> Submission:
    """Take the row lock that serialises edits of one record (PostgreSQL; SQLite locks the
    whole database for a write transaction anyway)."""
    query = select(Submission).where(Submission.id == submission_id).with_for_update()
    return session.scalars(query).one()


def attachments_of(session: Session, version_id: int) -> Sequence[SubmissionAttachment]:
    query = select(SubmissionAttachment).where(
        SubmissionAttachment.submission_version_id == version_id
    )
    return list(session.scalars(query.order_by(SubmissionAttachment.name)))


def count_submissions(session: Session, form_id: int | None = None) -> int:
    query = select(func.count()).select_from(Submission)
    if form_id is not None:
        query = query.where(Submission.form_id == form_id)
    return session.scalar(query) or 0


def current_versions(session: Session, form_id: int) -> Sequence[SubmissionVersion]:
    query = select(SubmissionVersion).where(
        SubmissionVersion.form_id == form_id, SubmissionVersion.current.is_(True)
    )
    return list(session.scalars(query.order_by(SubmissionVersion.id)))
