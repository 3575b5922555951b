"""Forwarding: a server with an upstream (a commune office under a district) sends every
submission it stores on to the upstream's OpenRosa endpoint, as a `rasoat sync push` would.

Exactly once, surviving restarts and outages of either side, on any number of nodes:
- the queue is a table of the database (forward_item): a version is queued in the same
  transaction that makes it complete (services/submissions.receive_submission with
  `forward=True`), so a record acknowledged to a phone is
  in the queue whichever node took it, and no crash can fall between the two;
- versions stored before forwarding was switched on are queued by a scan when a forwarder takes
  over, and so are those an earlier release left in its outbox file (their sent states are read
  from the file, so they do not go twice);
- one process of all the nodes pushes at a time: the one holding the `forwarding` lease, which
  it renews before every record; when it dies, the lease lapses and another takes over;
- the upstream answers an identical resubmission with 202 and stores it once, so the one record
  in flight when a pusher dies is at worst sent twice and stored once.
The upstream receives the instance XML and the files byte for byte as they were stored.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.config import ForwardingSettings
from server.storage import forwarding as queries
from server.storage.blobs import BlobStore
from server.storage.submissions import StoredInstance
from server.storage.transaction import reading_again, writing
from sync import ItemState, Outbox, SyncClient, SyncError
from sync.backoff import backoff_delay
from sync.batches import plan_batches
from sync.errors import Rejected, TemporaryFailure

logger = logging.getLogger(__name__)
LEASE = "forwarding"
LEASE_RETRY_SECONDS = 5.0
SCAN_BATCH = 200


# --- queueing ------------------------------------------------------------------------------


def queue_missing(session: Session) -> int:
    """Queue every complete version the queue does not know, oldest first (an original before
    its edits), in batches of one write unit each. Returns how many were queued."""
    queued = 0
    while True:
        with writing(session):
            batch = queries.versions_not_queued(session, SCAN_BATCH)
            for version_id in batch:
                stored = queries.stored_instance(session, version_id)
                names = {name for name, _ in stored.files} if stored else set()
                queries.queue_version(session, version_id, names)
        queued += len(batch)
        if len(batch) < SCAN_BATCH:
            break
    if queued:
        logger.info("queued %d stored submissions for the upstream", queued)
    return queued


def take_over_outbox_file(session: Session, settings: ForwardingSettings) -> int:
    """An earlier release queued in a SQLite file: what it sent or the upstream refused is
    written into the queue (so it does not go twice), and the file is renamed aside."""
    path = settings.outbox_path
    if not path.exists():
        return 0
    with Outbox(path) as outbox:
        keys = {
            (item.form_id, item.instance_id): (
                queries.SENT if item.state == ItemState.SENT else queries.REFUSED,
                item.last_status,
            )
            for item in outbox.items()
            if item.state != ItemState.QUEUED
        }
    with writing(session):
        taken = queries.mark_sent_by_keys(session, keys)
    path.rename(path.with_name(path.name + ".taken-over"))
    logger.info("took over %d forwarded submissions from %s", taken, path)
    return taken


# --- the forwarder ---------------------------------------------------------------------------


class _Stopped(Exception):
    """The stop event was set while the forwarder waited."""


@dataclass(frozen=True)
class ForwardingStatus:
    queued: int
    sent: int
    refused: int


def status(session: Session) -> ForwardingStatus:
    counts = queries.queue_counts(session)
    reading_again(session)
    return ForwardingStatus(counts[queries.QUEUED], counts[queries.SENT], counts[queries.REFUSED])


def needing_attention(session: Session) -> list[queries.QueueEntry]:
    """Records the upstream refused, and queued ones that failed at least once: what an
    officer looks at when the district says something is missing."""
    entries = [
        e
        for e in queries.queue_entries(session)
        if e.state == queries.REFUSED or (e.state == queries.QUEUED and e.attempts)
    ]
    reading_again(session)
    return entries


def holder_name() -> str:
    """This process among all nodes: host, process and a random part (a restarted process
    with a recycled pid is another holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Forwarder:
    """Pushes the queue upstream until `stop` is set, while it holds the forwarding lease; any
    number of processes on any number of nodes may each run one."""

    def __init__(
        self,
        session: Session,
        blobs: BlobStore,
        settings: ForwardingSettings,
        stop: threading.Event | None = None,
    ) -> None:
        self.session, self.blobs, self.settings = session, blobs, settings
        self.stop = stop or threading.Event()
        self.holder = holder_name()
        self._failures = 0
        self._scanned = False
        self._last = 0  # the version tried last: the next try is the one after it

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._step()
        except _Stopped:
            pass
        finally:
            self._let_go()

    def _step(self) -> None:
        try:
            if not self._hold():
                self._wait(LEASE_RETRY_SECONDS)
                return
            if not self._scanned:
                take_over_outbox_file(self.session, self.settings)
                queue_missing(self.session)
                self._scanned = True
            if not self._push_next():
                self._wait(self.settings.poll_seconds)
        except (SQLAlchemyError, OSError, sqlite3.Error) as exc:
            # The database is away (or the old outbox file unreadable): a background thread
            # that died here would stop forwarding until a restart, so wait and go on.
            self._rolled_back()
            logger.error("forwarding paused: %s", exc)
            self._wait(self.settings.max_delay)

    def _hold(self) -> bool:
        with writing(self.session):
            return queries.take_lease(self.session, LEASE, self.holder, self.settings.lease_seconds)

    def _let_go(self) -> None:
        try:
            with writing(self.session):
                queries.release_lease(self.session, LEASE, self.holder)
        except SQLAlchemyError:
            self._rolled_back()  # it lapses on its own

    def _rolled_back(self) -> None:
        with contextlib.suppress(SQLAlchemyError):
            reading_again(self.session)  # ends whatever the failure left open

    def _wait(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise _Stopped

    def _push_next(self) -> bool:
        """Send the next due record, going round the queue; False when none is due."""
        now = datetime.now(UTC)
        due = queries.next_due(self.session, now, self._last) or queries.next_due(self.session, now)
        stored = queries.stored_instance(self.session, due.version_id) if due else None
        reading_again(self.session)
        if due is None:
            return False
        self._last = due.version_id
        if stored is None:  # its row went (a test database emptied): nothing to send
            with writing(self.session):
                queries.record_outcome(self.session, due.version_id, queries.REFUSED, None, "gone")
            return True
        with writing(self.session):
            queries.record_attempt(self.session, due.version_id)
        try:
            with SyncClient(self.settings.upstream_url, device_id=self._device_id()) as client:
                self._send(client, stored, due.files_sent)
        except Rejected as exc:
            self._failures = 0
            with writing(self.session):
                queries.record_outcome(
                    self.session, due.version_id, queries.REFUSED, exc.status, str(exc)
                )
            logger.warning("upstream refused %s (%s): %s", stored.instance_id, exc.status, exc)
        except TemporaryFailure as exc:
            self._failures += 1
            delay = backoff_delay(
                self._failures, base=1.0, cap=self.settings.max_delay, retry_after=exc.retry_after
            )
            with writing(self.session):
                queries.record_failure(self.session, due.version_id, exc.status, str(exc), delay)
            logger.warning("upstream not reachable (%s); next try in %.1f s", exc, delay)
            self._wait(delay)
        except SyncError as exc:  # a refused token or a wrong address needs a person
            logger.error("forwarding paused for %.0f s: %s", self.settings.max_delay, exc)
            self._wait(self.settings.max_delay)
        else:
            self._failures = 0
        return True

    def _send(self, client: SyncClient, stored: StoredInstance, already: frozenset[str]) -> None:
        """The record in as many POSTs as the upstream's size limit asks, Collect's way; each
        acknowledged POST is committed, so a restart resumes after the files already taken."""
        limit = client.preflight()
        files = {name: self.blobs.read(sha) for name, sha in stored.files if name not in already}
        batches = plan_batches(len(stored.xml), [(n, len(b)) for n, b in files.items()], limit)
        for number, names in enumerate(batches, start=1):
            last = number == len(batches)
            answer = client.post_submission(
                stored.xml,
                [(name, files[name]) for name in names],
                xml_name=f"{stored.instance_id.removeprefix('uuid:')}.xml",
                incomplete=not last,
            )
            with writing(self.session):
                if last:
                    message = answer.message + (f" ({answer.issues})" if answer.issues else "")
                    queries.record_outcome(
                        self.session, stored.version_id, queries.SENT, answer.status, message, names
                    )
                else:
                    queries.record_files_sent(self.session, stored.version_id, set(names))
        logger.info("upstream: sent %s (%s)", stored.instance_id, answer.status)

    def _device_id(self) -> str:
        """One device for the upstream, whichever node pushes: named by the upstream's URL."""
        digest = uuid.uuid5(uuid.NAMESPACE_URL, self.settings.upstream_url).hex[:16]
        return f"rasoat:{digest}"
