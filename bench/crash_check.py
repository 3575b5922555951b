"""What the crash test's phones were told, and the check of the database and file store
against it afterwards (read directly: SQL and the blob folder, not through the server)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import create_engine, text


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    """Every record the phones sent (by instanceID) and which parts were answered 201/202."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.chains: dict[str, list[str]] = {}  # record → its instanceIDs, original first
        self.xml: dict[str, str] = {}  # instanceID → sha256 of the XML sent
        self.files: dict[str, dict[str, str]] = {}  # instanceID → file name → sha256 sent
        self.acked: dict[str, dict[str, str]] = {}  # instanceID → files acknowledged
        self.refusals: dict[str, str] = {}
        self.acknowledged_posts = 0

    def sent_record(
        self, record: str, instance_id: str, xml: bytes, files: Mapping[str, bytes]
    ) -> None:
        with self._lock:
            self.chains.setdefault(record, []).append(instance_id)
            self.xml[instance_id] = sha256(xml)
            self.files[instance_id] = {name: sha256(data) for name, data in files.items()}

    def acknowledged(self, instance_id: str, files: Mapping[str, bytes]) -> None:
        with self._lock:
            self.acked.setdefault(instance_id, {}).update(
                {name: sha256(data) for name, data in files.items()}
            )
            self.acknowledged_posts += 1

    def refused(self, instance_id: str, why: str) -> None:
        with self._lock:
            self.refusals[instance_id] = why


class Holder(Protocol):
    held: object | None


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        return [f"{key}: {value}" for key, value in self.counts.items()]


@dataclass
class Stored:
    versions: list[dict[str, Any]]
    attachments: dict[tuple[int, str], str | None]  # (version id, name) → sha256
    attachment_rows: Counter[tuple[int, str]]
    files_of: dict[int, dict[str, str | None]]  # version id → name → sha256
    submissions: int
    referenced: set[str]


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def read_database(database_url: str) -> Stored:
    engine = create_engine(_engine_url(database_url))
    try:
        with engine.connect() as conn:
            versions = [
                dict(row._mapping)
                for row in conn.execute(
                    text(
                        "SELECT id, submission_id, instance_id, xml, current, complete"
                        " FROM submission_version ORDER BY id"
                    )
                )
            ]
            rows = list(
                conn.execute(
                    text(
                        "SELECT submission_version_id, name, blob_sha256 FROM submission_attachment"
                    )
                )
            )
            submissions = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
            referenced = {
                sha
                for (sha,) in conn.execute(
                    text(
                        "SELECT sha256 FROM blob UNION SELECT blob_sha256 FROM form_attachment"
                        " UNION SELECT blob_sha256 FROM submission_attachment"
                    )
                )
                if sha
            }
    finally:
        engine.dispose()
    return Stored(
        versions=versions,
        attachments={(v, n): s for v, n, s in rows},
        attachment_rows=Counter((v, n) for v, n, _ in rows),
        files_of=_files_of(rows),
        submissions=int(submissions),
        referenced=referenced,
    )


def _files_of(rows: Iterable[Any]) -> dict[int, dict[str, str | None]]:
    files: dict[int, dict[str, str | None]] = {}
    for version_id, name, sha in rows:
        files.setdefault(version_id, {})[name] = sha
    return files


def verify(database_url: str, blob_root: Path, ledger: Ledger, phones: Iterable[Holder]) -> Verdict:
    stored = read_database(database_url)
    verdict = Verdict()
    _check_versions(stored, ledger, verdict, blob_root)
    _check_records(stored, ledger, verdict)
    _check_files(stored, blob_root, verdict)
    still_held = sum(1 for phone in phones if phone.held is not None)
    if still_held:
        verdict.problems.append(f"{still_held} phones could not send their last record")
    for instance_id, why in sorted(ledger.refusals.items()):
        verdict.problems.append(f"{instance_id} refused: {why}")
    verdict.counts.update(
        {
            "records sent": len(ledger.chains),
            "instanceIDs sent (edits included)": len(ledger.xml),
            "POSTs answered 201/202": ledger.acknowledged_posts,
            "submissions stored": stored.submissions,
            "versions stored": len(stored.versions),
            "attachment rows": sum(stored.attachment_rows.values()),
            "problems": len(verdict.problems),
        }
    )
    return verdict


def _blob_path(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha[2:4] / sha


def _check_versions(stored: Stored, ledger: Ledger, verdict: Verdict, blob_root: Path) -> None:
    by_id: dict[str, dict[str, Any]] = {}
    for version, count in Counter(v["instance_id"] for v in stored.versions).items():
        if count > 1:
            verdict.problems.append(f"{version} stored {count} times")
    for row in stored.versions:
        by_id[row["instance_id"]] = row
        if ledger.xml.get(row["instance_id"]) != sha256(bytes(row["xml"])):
            verdict.problems.append(f"{row['instance_id']}: XML stored that no phone sent")
        sent = ledger.files.get(row["instance_id"], {})
        for name, sha in stored.files_of.get(row["id"], {}).items():
            if sha is not None and sent.get(name) != sha:
                verdict.problems.append(f"{row['instance_id']}/{name}: file never sent")
    for (version_id, name), count in stored.attachment_rows.items():
        if count > 1:
            verdict.problems.append(f"version {version_id}: {count} rows for {name}")
    verdict.counts["acknowledged files checked by sha256"] = 0
    for instance_id, files in ledger.acked.items():
        row = by_id.get(instance_id)
        if row is None:
            verdict.problems.append(f"{instance_id} was answered 201/202 and is missing")
            continue
        for name, sha in files.items():
            if stored.attachments.get((row["id"], name)) != sha:
                verdict.problems.append(f"{instance_id}/{name} acknowledged, not stored")
            elif (
                not (path := _blob_path(blob_root, sha)).is_file()
                or sha256(path.read_bytes()) != sha
            ):
                verdict.problems.append(f"{instance_id}/{name}: file missing or changed")
            else:
                verdict.counts["acknowledged files checked by sha256"] += 1


def _check_records(stored: Stored, ledger: Ledger, verdict: Verdict) -> None:
    """One submission per record, its versions in the order sent, the last one current, and
    every record complete (all its files) once the phones have sent everything."""
    by_id = {row["instance_id"]: row for row in stored.versions}
    for record, chain in ledger.chains.items():
        rows = [by_id[i] for i in chain if i in by_id]
        if not rows:
            verdict.problems.append(f"record {record} never stored")
            continue
        if len({row["submission_id"] for row in rows}) != 1:
            verdict.problems.append(f"record {record} split over several submissions")
        if [row["current"] for row in rows] != [False] * (len(rows) - 1) + [True]:
            verdict.problems.append(f"record {record}: the last version is not the current one")
        for row in rows:
            files = stored.files_of.get(row["id"], {})
            missing = [name for name, sha in files.items() if sha is None]
            if not row["complete"] or missing:
                verdict.problems.append(f"{row['instance_id']} incomplete (missing {missing})")
    if stored.submissions != len(ledger.chains):
        verdict.problems.append(
            f"{stored.submissions} submissions stored for {len(ledger.chains)} records"
        )


def unreferenced_files(database_url: str, blob_root: Path) -> int:
    """Files no row refers to, and half-written ones: what a crash leaves for the sweep."""
    referenced = read_database(database_url).referenced
    on_disk = {p.name for p in blob_root.glob("??/??/*") if p.is_file()}
    tmp = blob_root / "tmp"
    return len(on_disk - referenced) + (len(list(tmp.glob("*"))) if tmp.exists() else 0)


def _check_files(stored: Stored, blob_root: Path, verdict: Verdict) -> None:
    """After the start-up sweep every file is referred to by a row, and every row's file is
    there (no orphans; never a row without its file)."""
    on_disk = {p.name for p in blob_root.glob("??/??/*") if p.is_file()}
    leftovers = list((blob_root / "tmp").glob("*")) if (blob_root / "tmp").exists() else []
    for sha in sorted(on_disk - stored.referenced):
        verdict.problems.append(f"orphan file {sha}")
    for sha in sorted(stored.referenced - on_disk):
        verdict.problems.append(f"row refers to a missing file {sha}")
    for path in leftovers:
        verdict.problems.append(f"half-written file left: {path.name}")
    verdict.counts["files in the store"] = len(on_disk)
