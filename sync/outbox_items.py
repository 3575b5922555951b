"""What the outbox stores and hands out: its schema, the items and their states."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    deprecated_id TEXT,
    xml_name TEXT NOT NULL,
    xml BLOB NOT NULL,
    xml_sha256 TEXT NOT NULL,
    source TEXT,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT,
    message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_attempt_at TEXT,
    sent_at TEXT,
    issues TEXT,
    UNIQUE (form_id, instance_id)
);
CREATE INDEX item_state ON item (state, id);
CREATE TABLE attachment (
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (item_id, name)
);
CREATE TABLE skipped (
    source TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
"""
# v1 → v2: an edit names the instance it replaces, so a push never sends it before that one.
# v2 → v3: the server's note on a record it stored but flagged ("has issues"), and the folders
# a scan could not queue, so `status` can show both long after the push that met them.
_V3 = [
    "ALTER TABLE item ADD COLUMN issues TEXT",
    "CREATE TABLE skipped (source TEXT PRIMARY KEY, reason TEXT NOT NULL, seen_at TEXT NOT NULL)",
]
UPGRADES = {1: ["ALTER TABLE item ADD COLUMN deprecated_id TEXT", *_V3], 2: _V3}


class ItemState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Instance:
    """One filled-in form to enqueue: the instance XML verbatim plus its attachments."""

    form_id: str
    instance_id: str
    xml: bytes
    xml_name: str = "submission.xml"
    files: Sequence[tuple[str, bytes]] = ()
    source: str | None = None
    deprecated_id: str | None = None  # an edit: the instanceID it replaces


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int
    sent: bool


@dataclass(frozen=True)
class OutboxItem:
    id: int
    form_id: str
    instance_id: str
    xml_name: str
    xml_sha256: str
    state: ItemState
    attempts: int
    last_status: int | None
    last_error: str | None
    message: str | None
    source: str | None
    created_at: str
    updated_at: str
    last_attempt_at: str | None
    sent_at: str | None
    # The server stored the item but flagged it for an officer (its review state "has
    # issues"): the server's words. None for a plain success and for items not yet sent.
    issues: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())


class EnqueueOutcome(StrEnum):
    ADDED = "added"
    ALREADY_THERE = "already there"
    DIFFERENT = "different XML already queued under this instanceID"


@dataclass(frozen=True)
class SkippedSource:
    """A folder (or file) a scan met but could not queue, with why."""

    source: str
    reason: str
    seen_at: str


@dataclass(frozen=True)
class Enqueued:
    item_id: int
    instance_id: str
    outcome: EnqueueOutcome


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
