"""Queries over submissions, their XML versions and attachments."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from server.domain.vocabulary import AreaHold, ReviewState
from server.storage.common import insert_returning_id
from server.storage.models import (
    AppUser,
    Area,
    Form,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
    utcnow,
    utcnow_ms,
)


@dataclass(frozen=True)
class StoredInstance:
    """One complete submission version as the phone sent it: XML and the files that arrived
    (what forwarding sends upstream)."""

    version_id: int
    xml_form_id: str
    instance_id: str
    deprecated_id: str | None
    xml: bytes
    files: tuple[tuple[str, str], ...]  # (name, blob sha256)


@dataclass(frozen=True)
class SubmissionTarget:
    """What a submission POST needs to know, loaded in one query: the form, the published
    version it names (if any) and a stored version with the same instanceID (if any)."""

    form: Form
    version: FormVersion | None
    existing: SubmissionVersion | None


def find_submission_target(
    session: Session, project_id: int, xml_form_id: str, version: str, instance_id: str
) -> SubmissionTarget | None:
    query = (
        select(Form, FormVersion, SubmissionVersion)
        .outerjoin(
            FormVersion,
            and_(
                FormVersion.form_id == Form.id,
                FormVersion.version == version,
                FormVersion.published_at.is_not(None),
            ),
        )
        .outerjoin(
            SubmissionVersion,
            and_(
                SubmissionVersion.form_id == Form.id, SubmissionVersion.instance_id == instance_id
            ),
        )
        .where(Form.project_id == project_id, Form.xml_form_id == xml_form_id)
    )
    row = session.execute(query).first()
    return SubmissionTarget(row[0], row[1], row[2]) if row is not None else None


def find_version(session: Session, form_id: int, instance_id: str) -> SubmissionVersion | None:
    query = select(SubmissionVersion).where(
        SubmissionVersion.form_id == form_id, SubmissionVersion.instance_id == instance_id
    )
    return session.scalars(query).first()


def insert_submission(
    session: Session, *, form_id: int, instance_id: str, app_user_id: int
) -> int | None:
    """The new submission's id, or None if this instanceID was stored meanwhile."""
    now = utcnow()
    values = {
        "form_id": form_id,
        "instance_id": instance_id,
        "app_user_id": app_user_id,
        "review_state": ReviewState.RECEIVED,
        "created_at": now,
        "updated_at": now,
    }
    return insert_returning_id(session, Submission, values, ["form_id", "instance_id"])


def insert_version(session: Session, values: dict[str, Any]) -> int | None:
    """The new version's id, or None if its instanceID was stored meanwhile."""
    values = {"received_at": utcnow(), **values}
    return insert_returning_id(session, SubmissionVersion, values, ["form_id", "instance_id"])


def insert_attachments(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(SubmissionAttachment), rows)


def lock_record(session: Session, version: SubmissionVersion) -> Submission:
    """Take the row lock that serialises edits of the version's record (PostgreSQL; SQLite
    locks the whole database for a write transaction anyway), then read the version again:
    another edit may have replaced it meanwhile."""
    query = select(Submission).where(Submission.id == version.submission_id).with_for_update()
    submission = session.scalars(query).one()
    session.refresh(version)
    return submission


def retire_version(session: Session, submission: Submission, version: SubmissionVersion) -> None:
    """An edit replaces this version: it is no longer current, and its record changed now."""
    version.current = False
    submission.updated_at = utcnow()
    submission.changed_at = utcnow_ms()
    session.flush()


def receive_files(
    session: Session,
    version: SubmissionVersion,
    rows: Mapping[str, SubmissionAttachment],
    arriving: Mapping[str, tuple[str, str | None]],
    *,
    complete: bool,
) -> list[tuple[str, str | None]]:
    """Record files sent again for a stored version, `arriving` as name → (blob hash, content
    type): into the version's row of that name (`rows`, as `attachments_of` gave them) or a new
    row the form does not reference; mark the version complete if it now is. Returns (name,
    blob hash or None while missing) of all its attachments, in the order stored."""
    new: list[tuple[str, str | None]] = []
    for name, (sha256, content_type) in arriving.items():
        row = rows.get(name)
        if row is None:
            session.add(
                SubmissionAttachment(
                    submission_version_id=version.id,
                    name=name,
                    blob_sha256=sha256,
                    content_type=content_type,
                    referenced=False,
                )
            )
            new.append((name, sha256))
        else:
            row.blob_sha256, row.content_type = sha256, content_type
    if complete and not version.complete:
        version.complete = True
    ordered = sorted(rows.values(), key=lambda row: row.id)
    return [(row.name, row.blob_sha256) for row in ordered] + new


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


def mark_issues(session: Session, submission_id: int, issues: str | None) -> None:
    """Record why a submission is kept out of the registry, or that nothing keeps it out (None).
    A record with issues is in the has-issues state; one that lost them goes back to received,
    other review states stay. One UPDATE, which touches no row when nothing changes (a new
    record without issues), so the submission is never loaded for it."""
    query = update(Submission).where(Submission.id == submission_id)
    if issues is not None:
        query = query.values(issues=issues, review_state=ReviewState.HAS_ISSUES)
    else:
        had_issues = Submission.review_state == ReviewState.HAS_ISSUES
        query = query.where(or_(Submission.issues.is_not(None), had_issues)).values(
            issues=None,
            review_state=case((had_issues, ReviewState.RECEIVED), else_=Submission.review_state),
        )
    # "fetch": a Submission this session holds (an edit's, locked) sees the new values.
    session.execute(query, execution_options={"synchronize_session": "fetch"})


def sender_of(session: Session, submission_id: int) -> str:
    """Who sent the record's current version, as the audit log names a phone: "name (login)"."""
    query = (
        select(AppUser.display_name, AppUser.login)
        .join(SubmissionVersion, SubmissionVersion.app_user_id == AppUser.id)
        .where(SubmissionVersion.submission_id == submission_id)
        .where(SubmissionVersion.current.is_(True))
    )
    row = session.execute(query).first()
    return f"{row[0]} ({row[1]})" if row else "?"


def find_submission(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)


# Versions the registry is derived from: every one not held outside its sender's area, unless
# an officer applied it.
_APPLICABLE = or_(
    SubmissionVersion.area_hold.is_(None), SubmissionVersion.area_hold == AreaHold.APPLIED
)


def applicable_instances_of(
    session: Session, xml_form_id: str, batch: int = 500
) -> Iterator[tuple[int, bytes, bool]]:
    """(submission id, XML, whether it is the current version) of the version each record of
    forms with this id is applied to the registry from: its latest version not held outside
    its sender's area (or applied by an officer); oldest record first, a batch at a time. A
    record whose current version is held or rejected gives its earlier version, which stays
    applied; a record with no such version gives nothing."""
    version_ids = list(
        session.scalars(
            select(func.max(SubmissionVersion.id))
            .join(Form, Form.id == SubmissionVersion.form_id)
            .where(Form.xml_form_id == xml_form_id, _APPLICABLE)
            .group_by(SubmissionVersion.submission_id)
            .order_by(SubmissionVersion.submission_id)
        )
    )
    for start in range(0, len(version_ids), batch):
        chunk = version_ids[start : start + batch]
        version = SubmissionVersion
        query = (
            select(version.submission_id, version.xml, version.current)
            .where(version.id.in_(chunk))
            .order_by(version.submission_id)
        )
        yield from ((row[0], row[1], row[2]) for row in session.execute(query))


@dataclass(frozen=True)
class HeldVersion:
    """The current version of a record, held outside its sender's area (or decided)."""

    version_id: int
    hold: AreaHold
    xml: bytes
    sender_area: Area | None
    named_village: Area | None


def hold_version(
    session: Session, version_id: int, *, sender_area_id: int, named_village_id: int
) -> None:
    """Keep this version out of the registry: it names `named_village_id`, outside its
    sender's area `sender_area_id`."""
    query = update(SubmissionVersion).where(SubmissionVersion.id == version_id)
    values = {"sender_area_id": sender_area_id, "named_village_id": named_village_id}
    session.execute(
        query.values(area_hold=AreaHold.HELD, **values),
        execution_options={"synchronize_session": "fetch"},
    )


def decide_hold(session: Session, version_id: int, decision: AreaHold) -> None:
    """An officer's decision on a held version: applied or rejected."""
    query = update(SubmissionVersion).where(SubmissionVersion.id == version_id)
    session.execute(
        query.values(area_hold=decision), execution_options={"synchronize_session": "fetch"}
    )


def current_hold(session: Session, submission_id: int) -> HeldVersion | None:
    """The record's current version if it was held outside its sender's area, else None."""
    version = session.scalars(
        select(SubmissionVersion).where(
            SubmissionVersion.submission_id == submission_id,
            SubmissionVersion.current.is_(True),
            SubmissionVersion.area_hold.is_not(None),
        )
    ).first()
    if version is None or version.area_hold is None:
        return None
    return HeldVersion(
        version.id,
        AreaHold(version.area_hold),
        version.xml,
        session.get(Area, version.sender_area_id) if version.sender_area_id else None,
        session.get(Area, version.named_village_id) if version.named_village_id else None,
    )


def flag(session: Session, submission_id: int, issues: str, state: ReviewState) -> None:
    """Put back a record's issue and review state exactly (after an earlier version of it was
    derived again, which clears them)."""
    query = update(Submission).where(Submission.id == submission_id)
    session.execute(
        query.values(issues=issues, review_state=state),
        execution_options={"synchronize_session": "fetch"},
    )
