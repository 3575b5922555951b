"""Receiving a submission from a phone: the one path every record of the field takes.

Rules (openrosa.md §3, §5, §6): the instance XML is stored byte for byte; a resubmission with
the same instanceID and identical XML succeeds without a second row (retries, split uploads);
the same instanceID with other XML is a conflict; `deprecatedID` makes an edit. Files are put
in the blob store before the database work, so a retry after a lost race reuses them and the
transaction only records references.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from server.domain.vocabulary import FormState
from server.errors import (
    DeprecatedSubmissionNotFound,
    FormClosed,
    FormNotAllowed,
    FormNotFound,
    FormVersionNotFound,
    InvalidAttachmentName,
    InvalidMultipart,
    StaleEdit,
    SubmissionConflict,
)
from server.formats.instance import ParsedInstance, parse_instance, values_at
from server.services import write_scope
from server.storage import forms as form_queries
from server.storage import forwarding as forward_queue
from server.storage import submissions as queries
from server.storage.blobs import BlobStore, StoredFile
from server.storage.files import record_blob
from server.storage.models import AppUser, Form, FormVersion, SubmissionVersion

logger = logging.getLogger(__name__)

ACCEPTING_STATES = (FormState.OPEN, FormState.CLOSING)
# Stable ids for instances sent without meta/instanceID, so that their retries still dedupe.
_NO_ID_NAMESPACE = uuid.UUID("6f1c0a52-6a43-4d55-9a0e-0c1b8f3f3e11")


class Outcome(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    ATTACHMENTS_ADDED = "attachments_added"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class IncomingFile:
    name: str
    stream: BinaryIO
    content_type: str | None = None
    declared_size: int | None = None


@dataclass(frozen=True)
class IncomingSubmission:
    xml: bytes
    files: Sequence[IncomingFile] = ()
    incomplete: bool = False
    device_id: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    form_id: str
    instance_id: str
    missing_attachments: tuple[str, ...]
    # The version as it now stands, once complete: what forwarding sends upstream, so that it
    # need not read the record back after the commit.
    stored: queries.StoredInstance | None
    # Why the record was stored but put aside for an officer ("has issues"), for the phone's
    # answer; None when it went into the registry (or is no registry form, or a re-send).
    issues: str | None = None


@dataclass(frozen=True)
class _Received:
    """Everything checked and stored on disk; what the database step works from."""

    parsed: ParsedInstance
    instance_id: str
    xml_sha256: str
    form: Form
    version: FormVersion
    files: Mapping[str, tuple[StoredFile, str | None]]


def receive_submission(
    session: Session,
    blobs: BlobStore,
    app_user: AppUser,
    incoming: IncomingSubmission,
    *,
    forward: bool = False,
) -> Receipt:
    """Check, store and record one submission POST; raise a RasoatError if it is refused.
    With `forward` (the server has an upstream), a version this POST completes is queued for
    the upstream in the same write unit (services/forwarding.py)."""
    receipt = _receive(session, blobs, app_user, incoming)
    if forward and receipt.stored is not None:
        stored = receipt.stored
        forward_queue.queue_version(session, stored.version_id, {n for n, _ in stored.files})
    return receipt


def _receive(
    session: Session, blobs: BlobStore, app_user: AppUser, incoming: IncomingSubmission
) -> Receipt:
    parsed = parse_instance(incoming.xml)
    instance_id = parsed.instance_id or _derived_instance_id(incoming.xml)
    form, version, existing = _accepting_target(session, app_user, parsed, instance_id)
    names = [checked_attachment_name(f.name) for f in incoming.files]
    xml_sha256 = hashlib.sha256(incoming.xml).hexdigest()
    # Refuse what is certain to fail before anything is written to disk.
    if existing is None and parsed.deprecated_id:
        existing = _edit_stored_meanwhile(session, form, parsed.deprecated_id, instance_id)
    if existing is not None and existing.xml_sha256 != xml_sha256:
        raise SubmissionConflict(instance_id=instance_id)
    received = _Received(
        parsed=parsed,
        instance_id=instance_id,
        xml_sha256=xml_sha256,
        form=form,
        version=version,
        files=_store_files(session, blobs, incoming.files, names),
    )
    if existing is not None:
        return _resubmission(session, existing, incoming, received)
    if parsed.deprecated_id:
        return _edit(session, app_user, incoming, received)
    return _create(session, app_user, incoming, received)


def _accepting_target(
    session: Session, app_user: AppUser, parsed: ParsedInstance, instance_id: str
) -> tuple[Form, FormVersion, SubmissionVersion | None]:
    target = queries.find_submission_target(
        session, app_user.project_id, parsed.form_id, parsed.version, instance_id
    )
    if target is None or target.form.published_version_id is None:
        raise FormNotFound(form_id=parsed.form_id)
    if not form_queries.may_use_form(session, app_user, target.form):
        raise FormNotAllowed(form_id=parsed.form_id)
    if target.form.state not in ACCEPTING_STATES:
        raise FormClosed(form_id=parsed.form_id)
    if target.version is None:
        raise FormVersionNotFound(form_id=parsed.form_id, version=parsed.version or "(none)")
    return target.form, target.version, target.existing


def _derived_instance_id(xml: bytes) -> str:
    return f"uuid:{uuid.uuid5(_NO_ID_NAMESPACE, hashlib.sha256(xml).hexdigest())}"


def checked_attachment_name(name: str) -> str:
    """A plain file name: no directories, no drive, no control characters, not "." or ".."."""
    bad = (
        not name
        or len(name) > 255
        or name in {".", ".."}
        or any(c in name for c in "/\\:")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    )
    if bad:
        raise InvalidAttachmentName(name=name)
    return name


def _store_files(
    session: Session, blobs: BlobStore, files: Sequence[IncomingFile], names: Sequence[str]
) -> dict[str, tuple[StoredFile, str | None]]:
    stored: dict[str, tuple[StoredFile, str | None]] = {}
    for incoming, name in zip(files, names, strict=True):
        result = blobs.put_stream(incoming.stream)
        if incoming.declared_size is not None and incoming.declared_size != result.size:
            declared = incoming.declared_size
            raise InvalidMultipart(
                reason=f"attachment {name} has {result.size} bytes, its header says {declared}",
                reason_vi=f"tệp {name} có {result.size} byte, phần đầu khai {declared}",
            )
        record_blob(session, result)
        stored[name] = (result, incoming.content_type)
    return stored


def _new_version(
    session: Session,
    submission_id: int,
    app_user: AppUser,
    incoming: IncomingSubmission,
    received: _Received,
) -> int | None:
    return queries.insert_version(
        session,
        {
            "submission_id": submission_id,
            "form_id": received.form.id,
            "form_version_id": received.version.id,
            "instance_id": received.instance_id,
            "deprecated_id": received.parsed.deprecated_id,
            "instance_name": (received.parsed.instance_name or "")[:500] or None,
            "xml": incoming.xml,
            "xml_sha256": received.xml_sha256,
            "current": True,
            "complete": not incoming.incomplete,
            "app_user_id": app_user.id,
            "device_id": (incoming.device_id or "")[:255] or None,
            "user_agent": (incoming.user_agent or "")[:500] or None,
        },
    )


def _referenced_names(received: _Received) -> list[str]:
    if received.parsed.encrypted:
        return list(received.parsed.encrypted_files)
    paths = [p for p in received.version.binary_paths.split("\n") if p]
    return list(dict.fromkeys(values_at(received.parsed.root, paths)))


def _attach(
    session: Session,
    version_id: int,
    received: _Received,
    carried: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str | None], ...]:
    """Create the attachment rows of a new version; return (name, blob hash or None while
    missing) of each, in the order stored."""
    referenced = _referenced_names(received)
    rows: list[dict[str, Any]] = []
    for name in referenced + [n for n in received.files if n not in referenced]:
        given = received.files.get(name)
        rows.append(
            {
                "submission_version_id": version_id,
                "name": name,
                "blob_sha256": given[0].sha256 if given else (carried or {}).get(name),
                "content_type": given[1] if given else None,
                "referenced": name in referenced,
            }
        )
    queries.insert_attachments(session, rows)
    return tuple((row["name"], row["blob_sha256"]) for row in rows)


def _new_receipt(
    outcome: Outcome,
    version_id: int,
    incoming: IncomingSubmission,
    received: _Received,
    files: Sequence[tuple[str, str | None]],
    complete: bool,
    issues: str | None = None,
) -> Receipt:
    """The receipt of a version whose attachments are `files` (in the order stored)."""
    missing = tuple(name for name, sha in files if sha is None)
    stored = queries.StoredInstance(
        version_id=version_id,
        xml_form_id=received.form.xml_form_id,
        instance_id=received.instance_id,
        deprecated_id=received.parsed.deprecated_id,
        xml=incoming.xml,
        files=tuple((name, sha) for name, sha in files if sha is not None),
    )
    return Receipt(
        outcome,
        stored.xml_form_id,
        stored.instance_id,
        missing,
        stored if complete else None,
        issues,
    )


def _create(
    session: Session, app_user: AppUser, incoming: IncomingSubmission, received: _Received
) -> Receipt:
    submission_id = queries.insert_submission(
        session,
        form_id=received.form.id,
        instance_id=received.instance_id,
        app_user_id=app_user.id,
    )
    if submission_id is None:
        return _stored_meanwhile(session, incoming, received)
    version_id = _new_version(session, submission_id, app_user, incoming, received)
    if version_id is None:
        return _stored_meanwhile(session, incoming, received)
    files = _attach(session, version_id, received)
    ids = (submission_id, version_id)
    issues = write_scope.apply_if_inside(
        session, app_user, received.form.xml_form_id, ids, received.parsed.root
    )
    logger.info("stored submission %s of form %s", received.instance_id, received.form.xml_form_id)
    complete = not incoming.incomplete
    return _new_receipt(Outcome.CREATED, version_id, incoming, received, files, complete, issues)


def _stored_meanwhile(
    session: Session, incoming: IncomingSubmission, received: _Received
) -> Receipt:
    """Another request stored this instanceID between our lookup and our insert (PostgreSQL;
    SQLite's write lock rules this out): answer as for a resubmission."""
    logger.info("instance %s stored concurrently", received.instance_id)
    existing = queries.find_version(session, received.form.id, received.instance_id)
    if existing is None:
        raise SubmissionConflict(instance_id=received.instance_id)
    return _resubmission(session, existing, incoming, received)


def _edit(
    session: Session, app_user: AppUser, incoming: IncomingSubmission, received: _Received
) -> Receipt:
    deprecated_id = received.parsed.deprecated_id or ""
    old = _version_to_edit(session, received.form, deprecated_id)
    # Read again under the record's lock: a concurrent edit may have replaced it meanwhile, or
    # a concurrent copy of this very upload (split edit) may have stored it.
    submission = queries.lock_record(session, old)
    if not old.current:
        same = queries.find_version(session, received.form.id, received.instance_id)
        if same is not None:
            return _resubmission(session, same, incoming, received)
        raise StaleEdit(deprecated_id=deprecated_id)
    queries.retire_version(session, submission, old)
    carried = {
        a.name: a.blob_sha256 for a in queries.attachments_of(session, old.id) if a.blob_sha256
    }
    version_id = _new_version(session, submission.id, app_user, incoming, received)
    if version_id is None:
        raise SubmissionConflict(instance_id=received.instance_id)
    files = _attach(session, version_id, received, carried)
    # The editor's area decides, as for a new record: an edit from outside is held, and the
    # version it replaces stays applied.
    ids = (submission.id, version_id)
    issues = write_scope.apply_if_inside(
        session, app_user, received.form.xml_form_id, ids, received.parsed.root
    )
    logger.info("stored edit %s of %s", received.instance_id, deprecated_id)
    complete = not incoming.incomplete
    return _new_receipt(Outcome.EDITED, version_id, incoming, received, files, complete, issues)


def _version_to_edit(session: Session, form: Form, deprecated_id: str) -> SubmissionVersion:
    old = queries.find_version(session, form.id, deprecated_id)
    if old is None:
        raise DeprecatedSubmissionNotFound(deprecated_id=deprecated_id)
    return old


def _edit_stored_meanwhile(
    session: Session, form: Form, deprecated_id: str, instance_id: str
) -> SubmissionVersion | None:
    """Refuse an edit certain to fail before files are written, except that a copy of this
    very edit may have been stored by a concurrent request (Collect retries, split uploads)
    after our first lookup: PostgreSQL's READ COMMITTED gives each statement a fresh view, so
    the record may already be replaced here. That stored copy is returned."""
    old = _version_to_edit(session, form, deprecated_id)
    if old.current:
        return None
    same = queries.find_version(session, form.id, instance_id)
    if same is None:
        raise StaleEdit(deprecated_id=deprecated_id)
    return same


def _resubmission(
    session: Session, existing: SubmissionVersion, incoming: IncomingSubmission, received: _Received
) -> Receipt:
    """Same instanceID again: identical XML adds any new files; other XML is a conflict."""
    if existing.xml_sha256 != received.xml_sha256 or existing.xml != incoming.xml:
        raise SubmissionConflict(instance_id=received.instance_id)
    rows = {a.name: a for a in queries.attachments_of(session, existing.id)}
    arriving: dict[str, tuple[str, str | None]] = {}
    carried: dict[str, str] | None = None
    for name, (stored, content_type) in received.files.items():
        had = rows[name].blob_sha256 if name in rows else None
        if had is not None and had != stored.sha256:
            carried = _carried_files(session, existing) if carried is None else carried
            if carried.get(name) != had:
                continue  # other bytes for a file received already: the first ones stay
            # else the phone's own file replaces the one the edit carried over
        elif had is not None:
            continue  # this very file again
        arriving[name] = (stored.sha256, content_type)
    complete = existing.complete or not incoming.incomplete
    files = queries.receive_files(session, existing, rows, arriving, complete=complete)
    outcome = Outcome.ATTACHMENTS_ADDED if arriving else Outcome.DUPLICATE
    return _new_receipt(outcome, existing.id, incoming, received, files, complete)


def _carried_files(session: Session, edit: SubmissionVersion) -> dict[str, str]:
    """The files an edit took over from the version it replaces, until the phone sends its own:
    an edit split over several POSTs has its new photo in a later POST (crash test finding:
    that photo was answered 201 and dropped, the old one kept)."""
    old = edit.deprecated_id and queries.find_version(session, edit.form_id, edit.deprecated_id)
    if not old:
        return {}
    return {a.name: a.blob_sha256 for a in queries.attachments_of(session, old.id) if a.blob_sha256}
