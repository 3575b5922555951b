"""A phone for the crash test: sends records as ODK Collect does and writes down every answer.

One record at a time, in order (Collect's send queue): a new record with one photo, a record
with three photos split over several POSTs (`*isIncomplete*=yes` on all but the last), or an
edit (`deprecatedID`) of a record whose last version was fully acknowledged. A POST that gets
no answer (the server was killed) makes the phone send the whole record again from its first
POST, as Collect does; only 201/202 counts as received.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from openpyxl import Workbook

from bench.crash_check import Ledger

FORM_ID = "crash_test"
FORM_VERSION = "1"
PHOTOS = ("photo1", "photo2", "photo3")
REQUEST_TIMEOUT_S = 30
DRAIN_LIMIT_S = 120


def write_form(folder: Path) -> None:
    """The form the phones fill: a code, three photos, a note (published by `rasoat serve`)."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in (
        ("type", "name", "label"),
        ("text", "household_code", "Mã hộ"),
        *(("image", name, f"Ảnh {i}") for i, name in enumerate(PHOTOS, 1)),
        ("text", "note", "Ghi chú"),
    ):
        survey.append(row)
    settings = book.create_sheet("settings")
    settings.append(("form_title", "form_id", "version"))
    settings.append(("Kiểm tra sập máy", FORM_ID, FORM_VERSION))
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / f"{FORM_ID}.xlsx")


def instance(
    record: str, instance_id: str, photos: dict[str, bytes], note: str, deprecated_id: str | None
) -> bytes:
    fields = "".join(
        f"<{field}>{field}.jpg</{field}>" if field in photos else f"<{field}/>" for field in PHOTOS
    )
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    return (
        '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa"'
        f' xmlns:orx="http://openrosa.org/xforms" id="{FORM_ID}" version="{FORM_VERSION}">'
        f"<household_code>{record}</household_code>{fields}<note>{note}</note>"
        f"<meta>{meta}</meta></data>"
    ).encode()


def split(xml: bytes, files: dict[str, bytes], limit: int) -> list[dict[str, bytes]]:
    """Collect's batching: as many whole files per POST as fit the advertised size."""
    batches: list[dict[str, bytes]] = [{}]
    size = len(xml)
    for name, data in files.items():
        if batches[-1] and size + len(data) > limit:
            batches.append({})
            size = len(xml)
        batches[-1][name] = data
        size += len(data)
    return batches


@dataclass
class Upload:
    record: str
    instance_id: str
    xml: bytes
    files: dict[str, bytes]
    batches: list[dict[str, bytes]]
    position: int = 0


@dataclass
class Phone:
    token_url: str
    ledger: Ledger
    rng: random.Random
    number: int
    limit: int = 100_000
    held: Upload | None = None
    done: dict[str, tuple[str, dict[str, bytes]]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.url = f"{self.token_url}/submission?deviceID=collect%3Acrash{self.number:04d}"
        self.http = requests.Session()
        self.http.headers["X-OpenRosa-Version"] = "1.0"

    def run(self, until: threading.Event) -> None:
        """Send records until told to stop (the server is being killed)."""
        while not until.is_set():
            if self.held is None:
                self.held = self._next_upload()
            self._send_next_post(self.held)

    def finish(self) -> None:
        """Send what the phone still holds, to a server that stays up."""
        deadline = time.monotonic() + DRAIN_LIMIT_S
        while self.held is not None and time.monotonic() < deadline:
            self._send_next_post(self.held)

    def _next_upload(self) -> Upload:
        roll = self.rng.random()
        if roll < 0.2 and self.done:
            record = self.rng.choice(sorted(self.done))
            last_id, photos = self.done[record]
            photos = dict(photos)
            changed = self.rng.choice(sorted(photos))
            photos[changed] = self._photo()
            return self._upload(record, photos, deprecated_id=last_id)
        record = f"P{self.number:02d}-{uuid.uuid4().hex[:10]}"
        count = 3 if roll < 0.45 else 1
        return self._upload(record, {name: self._photo() for name in PHOTOS[:count]}, None)

    def _photo(self) -> bytes:
        # A JPEG start-of-image marker, then noise: unique bytes, so no two photos share a file.
        return b"\xff\xd8\xff\xe0" + os.urandom(self.rng.randint(20_000, 70_000))

    def _upload(self, record: str, photos: dict[str, bytes], deprecated_id: str | None) -> Upload:
        instance_id = f"uuid:{uuid.uuid4()}"
        note = f"lần {self.rng.randint(1, 10**6)}"
        xml = instance(record, instance_id, photos, note, deprecated_id)
        files = {f"{name}.jpg": data for name, data in photos.items()}
        self.ledger.sent_record(record, instance_id, xml, files)
        return Upload(record, instance_id, xml, files, split(xml, files, self.limit))

    def _send_next_post(self, upload: Upload) -> None:
        batch = upload.batches[upload.position]
        last = upload.position == len(upload.batches) - 1
        parts: list[tuple[str, tuple[str | None, bytes | str, str | None]]] = [
            ("xml_submission_file", ("submission.xml", upload.xml, "text/xml"))
        ]
        parts += [(name, (name, data, "image/jpeg")) for name, data in batch.items()]
        if not last:
            parts.append(("*isIncomplete*", (None, "yes", None)))
        try:
            response = self.http.post(self.url, files=parts, timeout=REQUEST_TIMEOUT_S)
            outcome = str(response.status_code)
        except requests.RequestException as exc:
            outcome = type(exc).__name__
        self.outcomes[outcome] += 1
        if outcome in ("201", "202"):
            self.ledger.acknowledged(upload.instance_id, batch)
            upload.position += 1
            if upload.position == len(upload.batches):
                photos = {name.removesuffix(".jpg"): data for name, data in upload.files.items()}
                self.done[upload.record] = (upload.instance_id, photos)
                self.held = None
            return
        if outcome.isdigit():
            self.ledger.refused(upload.instance_id, f"{outcome}: {response.text[:200]}")
            self.held = None  # a refusal is final for Collect too; the check reports it
            return
        upload.position = 0  # no answer: send the whole record again, as Collect does
        time.sleep(0.1)
