"""The outbox: a local, crash-safe queue of instances waiting to go upstream (stdlib sqlite3).

Each item is `queued` until the server acknowledges it (`sent`) or refuses it for good
(`rejected`). The XML and the attachments are stored in the outbox itself, byte for byte, so
the source folder may go away once an instance is queued. WAL with `synchronous=FULL` and one
transaction per state change means a crash or power loss at any moment leaves either the state
before or the state after a change, never half of one. (Attempt counts and temporary errors are
committed without the fsync: a power cut may forget them, which changes nothing that matters.)
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from sync.errors import OutboxError
from sync.outbox_items import (
    SCHEMA,
    SCHEMA_VERSION,
    UPGRADES,
    Attachment,
    Enqueued,
    EnqueueOutcome,
    Instance,
    ItemState,
    OutboxItem,
    SkippedSource,
    now,
    sha256,
)

__all__ = [
    "Attachment",
    "EnqueueOutcome",
    "Enqueued",
    "Instance",
    "ItemState",
    "Outbox",
    "OutboxItem",
    "SkippedSource",
]


class Outbox:
    """The queue in one SQLite file. Not shared between threads; several processes may open
    it (SQLite locks), but only one push should send from it at a time (see sync.lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every transaction below is an explicit BEGIN IMMEDIATE … COMMIT.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        try:
            self._configure()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise OutboxError(f"{self.path}: not an outbox ({exc})") from exc

    def _configure(self) -> None:
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise OutboxError(f"{self.path}: cannot use WAL (journal mode {mode})")
        # FULL: a commit is on disk when it returns, also after power loss (NORMAL is not).
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version in UPGRADES:
                for statement in UPGRADES[version]:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                return
            if version != 0 or self._has_tables():
                raise OutboxError(f"{self.path}: not an outbox, or a newer one (v{version})")
            # Statement by statement: executescript() would commit the open transaction.
            for statement in filter(str.strip, SCHEMA.split(";")):
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._set_meta("device_id", f"rasoat-sync:{uuid.uuid4().hex[:16]}")

    def _has_tables(self) -> bool:
        return int(self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) > 0

    @contextmanager
    def _transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction. `durable=False` skips the fsync: for bookkeeping whose loss in
        a power cut changes nothing that matters (an attempt count, a temporary error); the
        next durable commit writes it to disk as well."""
        if not durable:
            self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        finally:
            if not durable:
                self._db.execute("PRAGMA synchronous=FULL")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- settings -------------------------------------------------------------------------

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def device_id(self) -> str:
        """A stable id for this outbox, sent as `deviceID` like a phone's."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        return str(row[0])

    # --- enqueue --------------------------------------------------------------------------

    def enqueue(self, instance: Instance) -> Enqueued:
        return self.enqueue_all([instance])[0]

    def enqueue_all(self, instances: Iterable[Instance]) -> list[Enqueued]:
        """Queue instances in one transaction. The key is (form, instanceID): an instance that
        is already in the outbox, in any state, is left as it is."""
        with self._transaction():
            return [self._enqueue_one(instance) for instance in instances]

    def _enqueue_one(self, instance: Instance) -> Enqueued:
        digest = sha256(instance.xml)
        row = self._db.execute(
            "SELECT id, xml_sha256 FROM item WHERE form_id = ? AND instance_id = ?",
            (instance.form_id, instance.instance_id),
        ).fetchone()
        if row is not None:
            same = row["xml_sha256"] == digest
            outcome = EnqueueOutcome.ALREADY_THERE if same else EnqueueOutcome.DIFFERENT
            return Enqueued(row["id"], instance.instance_id, outcome)
        stamp = now()
        cursor = self._db.execute(
            "INSERT INTO item (form_id, instance_id, deprecated_id, xml_name, xml, xml_sha256,"
            " source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                instance.form_id,
                instance.instance_id,
                instance.deprecated_id,
                instance.xml_name,
                instance.xml,
                digest,
                instance.source,
                stamp,
                stamp,
            ),
        )
        item_id = int(cursor.lastrowid or 0)
        self._db.executemany(
            "INSERT INTO attachment (item_id, position, name, content) VALUES (?, ?, ?, ?)",
            [(item_id, n, name, data) for n, (name, data) in enumerate(instance.files)],
        )
        return Enqueued(item_id, instance.instance_id, EnqueueOutcome.ADDED)

    # --- reading --------------------------------------------------------------------------

    def queued_ids(self) -> list[int]:
        """Queued items, oldest first."""
        rows = self._db.execute("SELECT id FROM item WHERE state = 'queued' ORDER BY id")
        return [int(r[0]) for r in rows]

    def ready_ids(self) -> list[int]:
        """Queued items that may go now, oldest first: an edit waits while the instance it
        replaces is still queued, since the server refuses an edit of a record it lacks (404)
        and that refusal would be final."""
        rows = self._db.execute(
            "SELECT id FROM item AS edit WHERE state = 'queued' AND NOT EXISTS ("
            " SELECT 1 FROM item AS base WHERE base.form_id = edit.form_id"
            " AND base.instance_id = edit.deprecated_id AND base.state = 'queued')"
            " ORDER BY id"
        )
        return [int(r[0]) for r in rows]

    def item_id(self, form_id: str, instance_id: str) -> int | None:
        row = self._db.execute(
            "SELECT id FROM item WHERE form_id = ? AND instance_id = ?", (form_id, instance_id)
        ).fetchone()
        return None if row is None else int(row[0])

    def keys(self) -> set[tuple[str, str]]:
        """(form, instanceID) of every item in any state: what is already in the outbox."""
        rows = self._db.execute("SELECT form_id, instance_id FROM item")
        return {(str(r[0]), str(r[1])) for r in rows}

    def get(self, item_id: int) -> OutboxItem:
        row = self._db.execute(
            "SELECT id, form_id, instance_id, xml_name, xml_sha256, state, attempts,"
            " last_status, last_error, message, source, created_at, updated_at,"
            " last_attempt_at, sent_at, issues FROM item WHERE id = ?",
            (item_id,),
        ).fetchone()
        if row is None:
            raise KeyError(item_id)
        fields = {**dict(row), "state": ItemState(row["state"])}
        return OutboxItem(**fields, attachments=self._attachments(item_id))

    def _attachments(self, item_id: int) -> tuple[Attachment, ...]:
        rows = self._db.execute(
            "SELECT name, length(content), sent_at FROM attachment WHERE item_id = ?"
            " ORDER BY position",
            (item_id,),
        )
        return tuple(Attachment(r[0], int(r[1]), r[2] is not None) for r in rows)

    def items(self, state: ItemState | None = None) -> list[OutboxItem]:
        if state is None:
            rows = self._db.execute("SELECT id FROM item ORDER BY id").fetchall()
        else:
            query = "SELECT id FROM item WHERE state = ? ORDER BY id"
            rows = self._db.execute(query, (state.value,)).fetchall()
        return [self.get(int(r[0])) for r in rows]

    def find(self, instance_id: str) -> OutboxItem | None:
        row = self._db.execute(
            "SELECT id FROM item WHERE instance_id = ? ORDER BY id", (instance_id,)
        ).fetchone()
        return None if row is None else self.get(int(row[0]))

    def counts(self) -> dict[ItemState, int]:
        rows = self._db.execute("SELECT state, count(*) FROM item GROUP BY state")
        found = {ItemState(r[0]): int(r[1]) for r in rows}
        return {state: found.get(state, 0) for state in ItemState}

    def skipped(self) -> list[SkippedSource]:
        """The folders scans met but could not queue, newest first."""
        rows = self._db.execute(
            "SELECT source, reason, seen_at FROM skipped ORDER BY seen_at DESC, source"
        )
        return [SkippedSource(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def note_scan(self, skipped: dict[str, str], queued_sources: Iterable[str]) -> None:
        """Remember what a scan skipped (source → why); a source that was queued since, or
        skipped again for another reason, replaces its older note."""
        with self._transaction(durable=False):
            self._db.executemany(
                "DELETE FROM skipped WHERE source = ?", [(s,) for s in queued_sources]
            )
            stamp = now()
            self._db.executemany(
                "INSERT OR REPLACE INTO skipped (source, reason, seen_at) VALUES (?, ?, ?)",
                [(source, reason, stamp) for source, reason in skipped.items()],
            )

    def xml(self, item_id: int) -> bytes:
        row = self._db.execute("SELECT xml FROM item WHERE id = ?", (item_id,)).fetchone()
        return bytes(row[0])

    def attachment(self, item_id: int, name: str) -> bytes:
        row = self._db.execute(
            "SELECT content FROM attachment WHERE item_id = ? AND name = ?", (item_id, name)
        ).fetchone()
        return bytes(row[0])

    # --- state changes: each one transaction --------------------------------------------------

    def record_attempt(self, item_id: int) -> None:
        """Count an attempt before its first byte goes out, so a crash mid-upload still shows."""
        with self._transaction(durable=False):
            stamp = now()
            self._db.execute(
                "UPDATE item SET attempts = attempts + 1, last_attempt_at = ?, updated_at = ?"
                " WHERE id = ? AND state = 'queued'",
                (stamp, stamp, item_id),
            )

    def mark_attachments_sent(self, item_id: int, names: Sequence[str]) -> None:
        """A non-final POST of a split upload was acknowledged: those files are on the server."""
        with self._transaction():
            self._mark_files(item_id, names, now())

    def _mark_files(self, item_id: int, names: Sequence[str], stamp: str) -> None:
        self._db.executemany(
            "UPDATE attachment SET sent_at = ? WHERE item_id = ? AND name = ? AND sent_at IS NULL",
            [(stamp, item_id, name) for name in names],
        )

    def mark_sent(
        self,
        item_id: int,
        status: int,
        message: str,
        names: Sequence[str],
        issues: str | None = None,
    ) -> None:
        """The final POST was acknowledged (201/202): the item and its last files are sent;
        `issues` is the server's note when it stored the item but flagged it."""
        with self._transaction():
            stamp = now()
            self._mark_files(item_id, names, stamp)
            self._finish(item_id, ItemState.SENT, status, message, stamp)
            self._db.execute("UPDATE item SET issues = ? WHERE id = ?", (issues, item_id))

    def mark_rejected(self, item_id: int, status: int, message: str) -> None:
        """The server refused the item for good; `message` is its reason, kept for people."""
        with self._transaction():
            self._finish(item_id, ItemState.REJECTED, status, message, now())

    def _finish(
        self, item_id: int, state: ItemState, status: int, message: str, stamp: str
    ) -> None:
        sent_at = stamp if state == ItemState.SENT else None
        self._db.execute(
            "UPDATE item SET state = ?, last_status = ?, message = ?, sent_at = ?,"
            " updated_at = ? WHERE id = ? AND state = 'queued'",
            (state.value, status, message, sent_at, stamp, item_id),
        )

    def record_failure(self, item_id: int, error: str, status: int | None = None) -> None:
        """A temporary failure: the item stays queued, with the error for `status` to show."""
        with self._transaction(durable=False):
            self._db.execute(
                "UPDATE item SET last_error = ?, last_status = ?, updated_at = ?"
                " WHERE id = ? AND state = 'queued'",
                (error, status, now(), item_id),
            )

    def add_files(self, item_id: int, files: Sequence[tuple[str, bytes]]) -> int:
        """Attachments that arrived after the item was queued (a phone re-sending a missing
        photo): add the new names and queue a sent item again, so the server gets them with
        the same XML (an identical resubmission that only adds files). Returns how many."""
        with self._transaction():
            known = {
                str(r[0])
                for r in self._db.execute(
                    "SELECT name FROM attachment WHERE item_id = ?", (item_id,)
                )
            }
            new = [(name, data) for name, data in files if name not in known]
            if not new:
                return 0
            start = len(known)
            self._db.executemany(
                "INSERT INTO attachment (item_id, position, name, content) VALUES (?, ?, ?, ?)",
                [(item_id, start + n, name, data) for n, (name, data) in enumerate(new)],
            )
            self._db.execute(
                "UPDATE item SET state = 'queued', sent_at = NULL, updated_at = ?"
                " WHERE id = ? AND state = 'sent'",
                (now(), item_id),
            )
            return len(new)

    def requeue(self, item_id: int) -> bool:
        """Put a rejected item back in the queue (after the cause was fixed on the server)."""
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE item SET state = 'queued', updated_at = ? WHERE id = ? AND state = ?",
                (now(), item_id, ItemState.REJECTED.value),
            )
            return cursor.rowcount == 1
