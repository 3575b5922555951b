"""Forwarding: a server with an upstream (a commune office under a district) sends every
submission it stores on to the upstream's OpenRosa endpoint, through the sync package's Outbox
and Pusher, exactly as a `rasoat sync push` would.

Exactly once, surviving restarts and outages of either side:
- each stored version is queued right after its transaction commits (`submission_stored`); the
  outbox is keyed by (form, instanceID), so queueing again is harmless;
- whatever a crash lost between the commit and the queueing is found by a scan that compares
  the database with the outbox, when the forwarder starts and every `scan_seconds` after;
- one forwarder per outbox (an OS file lock), pushing with backoff while the upstream is away;
  the upstream answers an identical resubmission with 202 and stores it once.
The upstream receives the instance XML and the files byte for byte as they were stored.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.config import ForwardingSettings
from server.services.submissions import Receipt
from server.storage import forwarding as queries
from server.storage.blobs import BlobStore
from server.storage.submissions import StoredInstance
from server.storage.transaction import reading_again
from sync import Instance, Outbox, OutboxItem, Pusher, PushPolicy, SyncClient, SyncError
from sync.lock import push_lock

logger = logging.getLogger(__name__)
LOCK_RETRY_SECONDS = 5.0
SCAN_BATCH = 200


# --- queueing --------------------------------------------------------------------------------


def submission_stored(
    session: Session,
    blobs: BlobStore,
    settings: ForwardingSettings | None,
    receipt: Receipt,
) -> None:
    """Queue a just-committed submission for the upstream, once it is complete, from what the
    receipt holds (the XML as received and the version's file hashes): the database is read
    only for an edit whose original never reached the outbox. Call it after the write unit
    has committed. Never raises: the phone's record is stored already, and a failure here is
    repaired by the next scan."""
    if settings is None or receipt.stored is None:
        return
    try:
        with Outbox(settings.outbox_path) as outbox:
            _enqueue(session, blobs, outbox, receipt.stored)
    except (SyncError, sqlite3.Error, OSError, SQLAlchemyError) as exc:
        logger.error("not queued for the upstream yet (the next scan will): %s", exc)
    finally:
        reading_again(session)  # end a read transaction the lookup of an original opened


def _enqueue(session: Session, blobs: BlobStore, outbox: Outbox, stored: StoredInstance) -> None:
    existing = outbox.item_id(stored.xml_form_id, stored.instance_id)
    if existing is not None:
        # Files that arrived after it was queued (a phone sending a missing photo again).
        known = {a.name for a in outbox.get(existing).attachments}
        new = [(name, blobs.read(sha)) for name, sha in stored.files if name not in known]
        if new:
            outbox.add_files(existing, new)
        return
    if stored.deprecated_id and outbox.item_id(stored.xml_form_id, stored.deprecated_id) is None:
        # An edit whose original was lost before queueing: the original must go first.
        base = queries.find_version_id(session, stored.xml_form_id, stored.deprecated_id)
        original = queries.stored_instance(session, base) if base is not None else None
        if original is not None:
            _enqueue(session, blobs, outbox, original)
    outbox.enqueue(_instance(blobs, stored))


def _instance(blobs: BlobStore, stored: StoredInstance) -> Instance:
    return Instance(
        form_id=stored.xml_form_id,
        instance_id=stored.instance_id,
        xml=stored.xml,
        files=[(name, blobs.read(sha)) for name, sha in stored.files],
        source=f"submission_version {stored.version_id}",
        deprecated_id=stored.deprecated_id,
    )


def enqueue_missing(session: Session, blobs: BlobStore, outbox: Outbox) -> int:
    """The recovery scan: queue every complete stored version the outbox does not know.
    Versions come in the order stored, so an original is queued before its edits."""
    known = outbox.keys()
    missing = [v for v, form, iid in queries.complete_versions(session) if (form, iid) not in known]
    for start in range(0, len(missing), SCAN_BATCH):
        batch = [queries.stored_instance(session, v) for v in missing[start : start + SCAN_BATCH]]
        outbox.enqueue_all(_instance(blobs, s) for s in batch if s is not None)
    reading_again(session)
    if missing:
        logger.info("queued %d stored submissions for the upstream", len(missing))
    return len(missing)


# --- the forwarder ---------------------------------------------------------------------------


class _Stopped(Exception):
    """The stop event was set while the forwarder waited."""


class _LogReporter:
    def started(self, queued: int) -> None:
        if queued:
            logger.info("forwarding %d queued submissions upstream", queued)

    def item_done(self, item: OutboxItem) -> None:
        log = logger.info if item.state == "sent" else logger.warning
        log("upstream: %s %s (%s %s)", item.state, item.instance_id, item.last_status, item.message)

    def waiting(self, seconds: float, error: SyncError) -> None:
        logger.warning("upstream not reachable (%s); next try in %.1f s", error, seconds)


class Forwarder:
    """Pushes the outbox upstream until `stop` is set; only the holder of the outbox's lock
    forwards, so any number of server processes may each run one."""

    def __init__(self, session: Session, blobs: BlobStore, settings: ForwardingSettings) -> None:
        self.session, self.blobs, self.settings = session, blobs, settings
        self.stop = threading.Event()
        self._next_scan = 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with push_lock(self.settings.outbox_path):
                    self._forward()
            except _Stopped:
                return
            except SyncError as exc:  # the lock is held elsewhere, or the outbox is unusable
                logger.debug("not forwarding from this process: %s", exc)
                self.stop.wait(LOCK_RETRY_SECONDS)
            except (sqlite3.Error, OSError, SQLAlchemyError) as exc:
                # A background thread that died here would stop forwarding until a restart.
                logger.exception("forwarder failed, starting again: %s", exc)
                self.stop.wait(self.settings.max_delay)

    def _forward(self) -> None:
        with Outbox(self.settings.outbox_path) as outbox, self._client(outbox) as client:
            policy = PushPolicy(
                base_delay=1.0,
                max_delay=self.settings.max_delay,
                watch=True,
                poll_interval=self.settings.poll_seconds,
            )
            idle = self._idle(outbox)
            self._scan(outbox)
            while True:
                try:
                    # Watching: it returns only by raising (_Stopped from `idle`, or below).
                    Pusher(outbox, client, policy, _LogReporter(), idle).run()
                except SyncError as exc:  # a refused token or a wrong address needs a person
                    logger.error("forwarding paused for %.0f s: %s", policy.max_delay, exc)
                    idle(policy.max_delay)

    def _client(self, outbox: Outbox) -> SyncClient:
        return SyncClient(self.settings.upstream_url, device_id=outbox.device_id)

    def _idle(self, outbox: Outbox) -> Callable[[float], None]:
        def wait(seconds: float) -> None:
            if time.monotonic() >= self._next_scan:
                self._scan(outbox)
            if self.stop.wait(seconds):
                raise _Stopped

        return wait

    def _scan(self, outbox: Outbox) -> None:
        self._next_scan = time.monotonic() + self.settings.scan_seconds
        try:
            enqueue_missing(self.session, self.blobs, outbox)
        except (SQLAlchemyError, OSError) as exc:  # the database is away: next time
            reading_again(self.session)
            logger.error("forwarding scan failed: %s", exc)
            self._next_scan = time.monotonic() + self.settings.max_delay
