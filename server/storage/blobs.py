"""Content-addressed files (form media, submission attachments): the interface every store
offers, and the store on local disk, the default for a single machine.

A file is stored under its SHA-256, so the same bytes are stored once and a reader never sees
half a file. Files are written before the database transaction that references them commits; a
crash in between leaves an unreferenced file, which `sweep` removes (never a row without its
file). The S3 store for several nodes (`storage/s3_blobs.py`) keeps the same promises.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    md5: str
    size: int


@dataclass(frozen=True)
class OpenedBlob:
    """A stored file opened for reading: its size, and a seekable binary file that reads it (a
    seek is how a Range request skips to its first byte)."""

    size: int
    file: IO[bytes]


class BlobStore(Protocol):
    """What services and surfaces may ask of a file store, whichever it is."""

    # Seconds a file written by a request may wait for its rows: a sweep at a server's start
    # spares newer files (0 on one machine, where no request is in flight then).
    sweep_guard_seconds: float

    def put_stream(self, stream: BinaryIO, limit: int | None = None) -> StoredFile: ...
    def put_bytes(self, data: bytes) -> StoredFile: ...
    def read(self, sha256: str) -> bytes: ...
    def open(self, sha256: str) -> OpenedBlob: ...
    def exists(self, sha256: str) -> bool: ...
    def all_hashes(self) -> Iterator[str]: ...
    def sweep(self, referenced: Iterable[str], older_than_seconds: float) -> int: ...
    def answers(self) -> bool: ...


def hashed_copy(stream: BinaryIO, out: BinaryIO, limit: int | None) -> StoredFile:
    """Copy `stream` into `out`, hashing as it goes; ValueError beyond `limit` bytes."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError(f"larger than {limit} bytes")
        sha.update(chunk)
        md5.update(chunk)
        out.write(chunk)
    out.flush()
    return StoredFile(sha.hexdigest(), md5.hexdigest(), size)


class DiskBlobStore:
    """Files under `root`: written to a temporary name, fsynced and renamed to their hash."""

    sweep_guard_seconds = 0.0

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_stream(self, stream: BinaryIO, limit: int | None = None) -> StoredFile:
        """Copy a stream into the store; raises ValueError when it exceeds `limit` bytes."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                stored = hashed_copy(stream, out, limit)
                os.fsync(out.fileno())
            self._move_into_place(Path(tmp_name), stored.sha256)
            return stored
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_stream(io.BytesIO(data))

    def _move_into_place(self, tmp: Path, sha256: str) -> None:
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == tmp.stat().st_size:
            # Same bytes already stored; refresh the time so a sweep running now keeps it.
            os.utime(target)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def open(self, sha256: str) -> OpenedBlob:
        path = self.path(sha256)
        return OpenedBlob(path.stat().st_size, path.open("rb"))

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def answers(self) -> bool:
        """The disk is part of this machine: it answers when the server does."""
        return True

    def all_hashes(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if path.is_file():
                yield path.name

    def sweep(self, referenced: Iterable[str], older_than_seconds: float) -> int:
        """Delete stored files no row references, leaving recent ones to in-flight requests."""
        keep = set(referenced)
        cutoff = time.time() - older_than_seconds
        removed = 0
        for sha in list(self.all_hashes()):
            path = self.path(sha)
            if sha not in keep and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for tmp in (self.root / "tmp").glob("*") if (self.root / "tmp").exists() else []:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink(missing_ok=True)
        return removed
