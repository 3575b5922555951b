"""Queries for forwarding stored submissions upstream: the queue (forward_item), the leases of
single-holder work, which versions exist, and one version's XML and file hashes as stored."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from server.storage.common import insert_ignoring_duplicates
from server.storage.models import (
    Form,
    ForwardItem,
    Lease,
    SubmissionAttachment,
    SubmissionVersion,
    utcnow,
)
from server.storage.submissions import StoredInstance

QUEUED, SENT, REFUSED = "queued", "sent", "refused"


@dataclass(frozen=True)
class DueItem:
    version_id: int
    attempts: int
    files_sent: frozenset[str]


# --- the queue -------------------------------------------------------------------------------


def queue_version(session: Session, version_id: int, file_names: set[str]) -> None:
    """Queue a complete version (inside the write unit that completed it). A version queued
    already stays as it is, unless it was sent and files arrived since: then it goes again."""
    insert_ignoring_duplicates(
        session,
        ForwardItem,
        {
            "version_id": version_id,
            "state": QUEUED,
            "attempts": 0,
            "files_sent": "[]",
            "queued_at": utcnow(),
        },
    )
    item = session.get(ForwardItem, version_id, populate_existing=True)
    if item is not None and item.state == SENT and file_names - set(json.loads(item.files_sent)):
        item.state, item.next_try_at, item.done_at = QUEUED, None, None


def versions_not_queued(session: Session, limit: int) -> list[int]:
    """Complete versions with no queue row, oldest first: those stored before forwarding was
    switched on (or by a server of an earlier release, which queued in a file)."""
    query = (
        select(SubmissionVersion.id)
        .outerjoin(ForwardItem, ForwardItem.version_id == SubmissionVersion.id)
        .where(SubmissionVersion.complete.is_(True), ForwardItem.version_id.is_(None))
        .order_by(SubmissionVersion.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def next_due(session: Session, now: datetime, after: int = 0) -> DueItem | None:
    """The oldest queued version after version `after` whose wait is over (the forwarder goes
    round the queue, so one record the upstream cannot take never holds the others back); an
    edit waits while the version it replaces is still queued (the original must go first)."""
    original = aliased(SubmissionVersion)
    original_item = aliased(ForwardItem)
    edit = aliased(SubmissionVersion)
    original_waits = (
        select(original_item.version_id)
        .join(original, original.id == original_item.version_id)
        .where(
            original.form_id == edit.form_id,
            original.instance_id == edit.deprecated_id,
            original_item.state == QUEUED,
        )
        .exists()
    )
    item = session.scalars(
        select(ForwardItem)
        .join(edit, edit.id == ForwardItem.version_id)
        .where(
            ForwardItem.state == QUEUED,
            or_(ForwardItem.next_try_at.is_(None), ForwardItem.next_try_at <= now),
            or_(edit.deprecated_id.is_(None), ~original_waits),
            ForwardItem.version_id > after,
        )
        .order_by(ForwardItem.version_id)
        .limit(1)
    ).first()
    if item is None:
        return None
    return DueItem(item.version_id, item.attempts, frozenset(json.loads(item.files_sent)))


def record_attempt(session: Session, version_id: int) -> None:
    session.execute(
        update(ForwardItem)
        .where(ForwardItem.version_id == version_id)
        .values(attempts=ForwardItem.attempts + 1)
    )


def record_files_sent(session: Session, version_id: int, names: set[str]) -> None:
    item = session.get(ForwardItem, version_id, populate_existing=True)
    if item is not None:
        item.files_sent = json.dumps(sorted(set(json.loads(item.files_sent)) | names))


def record_outcome(
    session: Session,
    version_id: int,
    state: str,
    status: int | None,
    message: str,
    files: Collection[str] = (),
) -> None:
    """Sent or refused: the item leaves the queue (until files arrive for a sent one)."""
    item = session.get(ForwardItem, version_id, populate_existing=True)
    if item is None:
        return
    item.state, item.last_status, item.message = state, status, message[:2000]
    item.files_sent = json.dumps(sorted(set(json.loads(item.files_sent)) | set(files)))
    item.next_try_at, item.done_at = None, utcnow()


def record_failure(
    session: Session, version_id: int, status: int | None, message: str, retry_in: float
) -> None:
    """A temporary failure: the item stays queued and is not tried again for `retry_in` s."""
    session.execute(
        update(ForwardItem)
        .where(ForwardItem.version_id == version_id)
        .values(
            last_status=status,
            message=message[:2000],
            next_try_at=utcnow() + timedelta(seconds=retry_in),
        )
    )


def queue_counts(session: Session) -> Counter[str]:
    rows = session.execute(select(ForwardItem.state, func.count()).group_by(ForwardItem.state))
    return Counter({str(state): int(n) for state, n in rows})


@dataclass(frozen=True)
class QueueEntry:
    version_id: int
    xml_form_id: str
    instance_id: str
    state: str
    attempts: int
    last_status: int | None
    message: str | None


def queue_entries(session: Session) -> list[QueueEntry]:
    """Every queue row with its record's names, oldest first (tests and the status command)."""
    rows = session.execute(
        select(ForwardItem, Form.xml_form_id, SubmissionVersion.instance_id)
        .join(SubmissionVersion, SubmissionVersion.id == ForwardItem.version_id)
        .join(Form, Form.id == SubmissionVersion.form_id)
        .order_by(ForwardItem.version_id)
    )
    return [
        QueueEntry(i.version_id, form, iid, i.state, i.attempts, i.last_status, i.message)
        for i, form, iid in rows
    ]


def mark_sent_by_keys(session: Session, keys: dict[tuple[str, str], tuple[str, int | None]]) -> int:
    """What an earlier release's outbox file says the upstream has: (form, instanceID) →
    (state, status). Queue rows are written for those versions so they are not sent again."""
    done = 0
    for version_id, form, iid in complete_versions(session):
        known = keys.get((form, iid))
        if known is None:
            continue
        state, status = known
        insert_ignoring_duplicates(
            session,
            ForwardItem,
            {
                "version_id": version_id,
                "state": state,
                "attempts": 1,
                "last_status": status,
                "files_sent": json.dumps(sorted(_file_names(session, version_id))),
                "queued_at": utcnow(),
                "done_at": utcnow(),
            },
        )
        done += 1
    return done


def _file_names(session: Session, version_id: int) -> set[str]:
    return set(
        session.scalars(
            select(SubmissionAttachment.name).where(
                SubmissionAttachment.submission_version_id == version_id,
                SubmissionAttachment.blob_sha256.is_not(None),
            )
        )
    )


# --- leases ----------------------------------------------------------------------------------


def take_lease(session: Session, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `seconds`: True when `holder` holds it now. One
    statement decides, so two processes asking at once cannot both get it."""
    now = utcnow()
    insert_ignoring_duplicates(
        session,
        Lease,
        {"name": name, "holder": holder, "expires_at": now + timedelta(seconds=seconds)},
    )
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def release_lease(session: Session, name: str, holder: str) -> None:
    session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=utcnow())
    )


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
