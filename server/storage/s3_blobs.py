"""Content-addressed files in an S3-compatible object store, for several app nodes that share
one store (`RASOAT_BLOB_URL=s3://bucket/prefix`); the disk store (`storage/blobs.py`) stays the
default for a single machine.

The same promises as the disk store, kept the S3 way:
- An object is named `<prefix>/<sha256>`. The bytes are first spooled to a local temporary file
  (the hash names the object, so it is known only at the end), then written with a create-only
  conditional PUT (`If-None-Match: *`) before the database transaction that references them
  commits. The store refuses to overwrite (412): that answer means "these bytes are already
  there", because the name is their hash. A crash between the PUT and the commit leaves an
  unreferenced object, which `sweep` removes.
- A file above `multipart_bytes` goes up in parts; an upload that fails half-way is aborted, so
  no half-written upload keeps its parts in the store (and `sweep` aborts those a crash left).
- Reads stream: a served file is read from the store in chunks as the response goes out, from
  the first byte a Range request asks for.
- A store that does not answer, or refuses a write, raises `FileStoreUnavailable` (503): the
  request's write unit rolls back and nothing is acknowledged; the phone sends again later.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.errors import FileStoreUnavailable
from server.storage.blobs import OpenedBlob, StoredFile, hashed_copy

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef
else:
    S3Client = CompletedPartTypeDef = Any

logger = logging.getLogger(__name__)

MIB = 1 << 20
# S3's smallest part (all but the last); SeaweedFS and AWS both refuse smaller ones.
MIN_PART_BYTES = 5 * MIB
# A request may take the gunicorn timeout (300 s) between its PUT and its commit; another node's
# sweep at its start must spare such files, with a wide margin.
SWEEP_GUARD_SECONDS = 3600.0


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str  # without slashes at either end; "" for the bucket's root
    endpoint_url: str | None  # None: AWS itself (or AWS_ENDPOINT_URL, read by boto3)
    multipart_bytes: int = 16 * MIB
    part_bytes: int = 8 * MIB


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


@contextmanager
def _store_answers(action: str) -> Iterator[None]:
    """Any failure of the store itself (unreachable, timing out, a 5xx, a refused signature)
    becomes the one 503 of the catalogue. What failed, and the store's address, go to the log
    for the operator, not into the answer to a phone."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        logger.error("file store: %s failed: %s", action, exc)
        raise FileStoreUnavailable() from exc


class S3BlobStore:
    sweep_guard_seconds = SWEEP_GUARD_SECONDS

    def __init__(self, settings: S3Settings, spool_dir: Path) -> None:
        if settings.part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts must be at least {MIN_PART_BYTES} bytes")
        self.settings = settings
        self.spool_dir = spool_dir
        self._clients: dict[int, S3Client] = {}
        self._lock = threading.Lock()

    # --- the client ---------------------------------------------------------------------------

    @property
    def client(self) -> S3Client:
        """One client per process: gunicorn forks its workers after the start has used the
        store, and a connection pool must never be shared across a fork."""
        pid = os.getpid()
        with self._lock:
            if pid not in self._clients:
                self._clients = {pid: self._new_client()}
            return self._clients[pid]

    def _new_client(self) -> S3Client:
        config = Config(
            # Path-style for self-hosted stores (SeaweedFS, Ceph): no wildcard DNS needed.
            s3={"addressing_style": "path" if self.settings.endpoint_url else "auto"},
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            # The SHA-256 we send with each PUT is the integrity check; newer botocore's default
            # CRC32 on every request is refused by some S3-compatible stores.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=self.settings.endpoint_url, config=config
        )
        return client

    def key(self, sha256: str) -> str:
        return f"{self.settings.prefix}/{sha256}" if self.settings.prefix else sha256

    def _listing_prefix(self) -> str:
        return f"{self.settings.prefix}/" if self.settings.prefix else ""

    # --- writing ------------------------------------------------------------------------------

    def put_stream(self, stream: BinaryIO, limit: int | None = None) -> StoredFile:
        """Copy a stream into the store; raises ValueError when it exceeds `limit` bytes."""
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.spool_dir) as spool:
            stored = hashed_copy(stream, spool, limit)
            spool.seek(0)
            if stored.size > self.settings.multipart_bytes:
                created = self._put_in_parts(spool, stored)
            else:
                created = self._put_whole(spool, stored)
        if not created:
            self._keep_fresh(stored.sha256)
        return stored

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_stream(io.BytesIO(data))

    def _put_whole(self, spool: BinaryIO, stored: StoredFile) -> bool:
        """One create-only PUT; False when the object was there already."""
        checksum = base64.b64encode(bytes.fromhex(stored.sha256)).decode("ascii")
        try:
            with _store_answers(f"storing {stored.sha256}"):
                try:
                    self.client.put_object(
                        Bucket=self.settings.bucket,
                        Key=self.key(stored.sha256),
                        Body=spool,
                        ContentLength=stored.size,
                        IfNoneMatch="*",
                        # The store checks the bytes it got against the name we give them.
                        ChecksumSHA256=checksum,
                    )
                except ClientError as exc:
                    if self._already_there(exc, stored.sha256):
                        return False
                    raise
        finally:
            spool.seek(0)
        return True

    def _put_in_parts(self, spool: BinaryIO, stored: StoredFile) -> bool:
        """A multipart upload completed create-only; aborted if anything fails on the way, and
        after a 412 (the parts of a refused completion would stay in the store otherwise)."""
        bucket, key = self.settings.bucket, self.key(stored.sha256)
        with _store_answers(f"starting the upload of {stored.sha256}"):
            upload_id = self.client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        completed = False
        try:
            with _store_answers(f"storing {stored.sha256} in parts"):
                parts: list[CompletedPartTypeDef] = []
                number = 1
                while chunk := spool.read(self.settings.part_bytes):
                    part = self.client.upload_part(
                        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=chunk
                    )
                    parts.append({"PartNumber": number, "ETag": part["ETag"]})
                    number += 1
                try:
                    self.client.complete_multipart_upload(
                        Bucket=bucket,
                        Key=key,
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                        IfNoneMatch="*",
                    )
                    completed = True
                except ClientError as exc:
                    if self._already_there(exc, stored.sha256):
                        return False
                    raise
        finally:
            if not completed:
                self._abort(key, upload_id)
        return True

    def _abort(self, key: str, upload_id: str) -> None:
        """Best effort: when the store is down the abort fails too, and `sweep` aborts the
        upload later."""
        with suppress(BotoCoreError, ClientError):
            self.client.abort_multipart_upload(
                Bucket=self.settings.bucket, Key=key, UploadId=upload_id
            )

    def _already_there(self, error: ClientError, sha256: str) -> bool:
        """412: the create-only write found the object (same name, so the same bytes). 409: a
        concurrent create-only write of the same object is under way; it counts only once the
        object is really there."""
        if _status(error) == 412 or _code(error) == "PreconditionFailed":
            return True
        if _status(error) == 409 or _code(error) == "ConditionalRequestConflict":
            return self.exists(sha256)
        return False

    def _keep_fresh(self, sha256: str) -> None:
        """Copy an object that was already there onto itself, so its time is now: a sweep that
        finds it unreferenced (an orphan this request is about to reference) spares it."""
        key = self.key(sha256)
        with _store_answers(f"refreshing {sha256}"):
            self.client.copy_object(
                Bucket=self.settings.bucket,
                Key=key,
                CopySource={"Bucket": self.settings.bucket, "Key": key},
                MetadataDirective="REPLACE",
                Metadata={"rasoat-kept": str(int(time.time()))},
            )

    # --- reading ------------------------------------------------------------------------------

    def read(self, sha256: str) -> bytes:
        with _store_answers(f"reading {sha256}"):
            found = self.client.get_object(Bucket=self.settings.bucket, Key=self.key(sha256))
            data: bytes = found["Body"].read()
        return data

    def open(self, sha256: str) -> OpenedBlob:
        with _store_answers(f"opening {sha256}"):
            head = self.client.head_object(Bucket=self.settings.bucket, Key=self.key(sha256))
        size = int(head["ContentLength"])
        reader = _ObjectReader(self, self.key(sha256), size)
        return OpenedBlob(size, io.BufferedReader(reader, buffer_size=1 << 16))

    def exists(self, sha256: str) -> bool:
        with _store_answers(f"looking for {sha256}"):
            try:
                self.client.head_object(Bucket=self.settings.bucket, Key=self.key(sha256))
            except ClientError as exc:
                if _status(exc) == 404:
                    return False
                raise
        return True

    def answers(self) -> bool:
        """True when the bucket can be reached with our credentials (a readiness check)."""
        try:
            self.client.head_bucket(Bucket=self.settings.bucket)
        except (BotoCoreError, ClientError):
            return False
        return True

    # --- sweeping -----------------------------------------------------------------------------

    def _listed(self) -> Iterator[tuple[str, datetime]]:
        with _store_answers("listing the stored files"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.settings.bucket, Prefix=self._listing_prefix()
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"].removeprefix(self._listing_prefix())
                    if len(name) == 64 and "/" not in name:
                        yield name, item["LastModified"]

    def all_hashes(self) -> Iterator[str]:
        for sha256, _ in self._listed():
            yield sha256

    def sweep(self, referenced: Iterable[str], older_than_seconds: float) -> int:
        """Delete stored files no row references, leaving those newer than the guard to
        in-flight requests (on any node), and abort multipart uploads older than the guard."""
        keep = set(referenced)
        cutoff = time.time() - older_than_seconds
        removed = 0
        for sha256, modified in list(self._listed()):
            if sha256 in keep or modified.timestamp() >= cutoff:
                continue
            if self._modified_since(sha256, cutoff):
                continue  # a request found it "already there" and refreshed it just now
            with _store_answers(f"deleting {sha256}"):
                self.client.delete_object(Bucket=self.settings.bucket, Key=self.key(sha256))
            removed += 1
        self._abort_stale_uploads(cutoff)
        return removed

    def _modified_since(self, sha256: str, cutoff: float) -> bool:
        with _store_answers(f"looking at {sha256}"):
            try:
                head = self.client.head_object(Bucket=self.settings.bucket, Key=self.key(sha256))
            except ClientError as exc:
                if _status(exc) == 404:
                    return True  # gone already: nothing to delete
                raise
        return bool(head["LastModified"].timestamp() >= cutoff)

    def _abort_stale_uploads(self, cutoff: float) -> None:
        with _store_answers("listing unfinished uploads"):
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.settings.bucket, Prefix=self._listing_prefix()
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"].timestamp() < cutoff:
                        self._abort(upload["Key"], upload["UploadId"])


class _ObjectReader(io.RawIOBase):
    """An object read as a seekable file: each read continues one streaming GET from the
    position, and a seek starts the next GET there (Werkzeug seeks to a Range's first byte)."""

    def __init__(self, store: S3BlobStore, key: str, size: int) -> None:
        super().__init__()
        self.store, self.key, self.size = store, key, size
        self.position = 0
        self.body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset != self.position:
            self._drop_body()
            self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size:
            return 0
        if self.body is None:
            with _store_answers(f"reading {self.key}"):
                found = self.store.client.get_object(
                    Bucket=self.store.settings.bucket,
                    Key=self.key,
                    Range=f"bytes={self.position}-",
                )
            self.body = found["Body"]
        with _store_answers(f"reading {self.key}"):
            data = self.body.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop_body()
        super().close()
