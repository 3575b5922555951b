"""A real form engine as a test client: ODK's own `@getodk/xforms-engine` (the engine of ODK Web
Forms) run headless in Node by `tests/support/engine/fill.mjs`.

Give it an XForm, its media files and answers in the order a person would give them; get back the
instance XML the engine writes, ready to post over OpenRosa with `CollectClient.submit`:

    result = engine.fill(xform, [("/data/village", "1960301"), ("/data/members", 4)],
                         {"villages.csv": csv_bytes})
    assert result.status == "ready", result.violations

A reference is the engine's (`/data/member[2]/m_name`; a bare name is relative to the root). A
number answers a repeat with how many instances it should have; a list answers a select_multiple.
Node starts once per test process (about 1.5 s, `node fill.mjs --lines`); a record then takes
milliseconds. `fill_many` sends many records in one request.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import pytest

from tests.support.collect import DEVICE_ID

ENGINE_DIR = Path(__file__).with_name("engine")
FILL_SCRIPT = ENGINE_DIR / "fill.mjs"
LOCK_FILE = ENGINE_DIR / "package-lock.json"
# npm ci writes this "hidden lockfile" last; it is our stamp of a complete install.
INSTALLED_STAMP = ENGINE_DIR / "node_modules" / ".package-lock.json"
MIN_NODE_MAJOR = 18
INSTALL_HINT = (
    "the form engine needs Node.js 18+ and npm: `./dev test` installs them on Debian "
    "(apt-get install nodejs npm), then `npm ci` in tests/support/engine"
)


class EngineError(RuntimeError):
    """The engine could not carry out a request (unknown reference, bad value, missing media…)."""


class EngineUnavailable(EngineError):
    """Node.js or npm is not installed, so the engine cannot run at all."""


@dataclass(frozen=True)
class Upload:
    """An answer to an upload question (image, audio, file): a file name and its content."""

    name: str
    data: bytes = b""


AnswerValue = str | int | float | bool | Sequence[str] | Upload | None
Answer = tuple[str, AnswerValue]


@dataclass(frozen=True)
class Violation:
    """A question whose `constraint` or `required` condition fails; `message` is the form's
    jr:constraintMsg / jr:requiredMsg in the chosen language, or None when the form has none."""

    reference: str
    condition: Literal["constraint", "required"]
    message: str | None


@dataclass(frozen=True)
class EngineResult:
    """What the engine would submit. `status` is "ready", or "pending" when there are violations
    (a person could not send it; the XML is still what the engine holds). `values` has every
    relevant calculate, preload and meta node as written in the XML; `attachments` the files of
    upload answers, as the engine would send them with the XML."""

    status: Literal["ready", "pending"]
    xml: bytes
    violations: list[Violation]
    values: dict[str, str]
    attachments: dict[str, bytes] = field(default_factory=dict)

    def messages(self) -> dict[str, str | None]:
        """Violation message by reference."""
        return {v.reference: v.message for v in self.violations}


@dataclass(frozen=True)
class EngineRequest:
    """One record to fill, for `fill_many`."""

    form_xml: bytes
    answers: Sequence[Answer]
    attachments: dict[str, bytes] | None = None
    device_id: str = DEVICE_ID
    language: str | None = None


def _node_version() -> int:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        missing = " and ".join(n for n in ("node", "npm") if shutil.which(n) is None)
        raise EngineUnavailable(f"{missing} not found on PATH; {INSTALL_HINT}")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    if major < MIN_NODE_MAJOR:
        raise EngineUnavailable(f"node {version} is too old; {INSTALL_HINT}")
    return major


def _installed() -> bool:
    return INSTALLED_STAMP.exists() and INSTALLED_STAMP.stat().st_mtime >= LOCK_FILE.stat().st_mtime


def ensure_installed() -> None:
    """Install the engine's npm packages (`npm ci`, exact versions from package-lock.json) when
    node_modules is missing or older than the lock file. Raises EngineUnavailable when node or
    npm is missing, EngineError when npm ci fails."""
    _node_version()
    if _installed():
        return
    lock_path = Path(tempfile.gettempdir()) / "rasoat-form-engine-npm.lock"
    with lock_path.open("w") as lock:  # pytest-xdist workers: one npm ci at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=ENGINE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise EngineError(
                f"npm ci in {ENGINE_DIR} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )


def require_engine() -> None:
    """For tests: install the engine, or skip with the reason when Node.js is absent on a
    developer machine. On CI (the `CI` variable set) a missing Node.js fails the test instead,
    and so does a failing `npm ci` anywhere."""
    try:
        ensure_installed()
    except EngineUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"form engine unavailable on CI: {exc}")
        pytest.skip(f"form engine unavailable: {exc}")


def _attachment(data: bytes) -> str | dict[str, str]:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def _answer_value(value: AnswerValue) -> Any:
    if isinstance(value, Upload):
        return {"name": value.name, "base64": base64.b64encode(value.data).decode("ascii")}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return list(value)


def _request_json(request: EngineRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "form": request.form_xml.decode("utf-8"),
        "attachments": {n: _attachment(d) for n, d in (request.attachments or {}).items()},
        "answers": [[reference, _answer_value(value)] for reference, value in request.answers],
        "deviceID": request.device_id,
    }
    if request.language is not None:
        body["language"] = request.language
    return body


def _result(raw: dict[str, Any], where: str) -> EngineResult:
    if raw.get("status") not in ("ready", "pending"):
        raise EngineError(f"{where}{raw.get('error', raw)}")
    return EngineResult(
        status=raw["status"],
        xml=raw["xml"].encode("utf-8"),
        violations=[
            Violation(v["reference"], v["condition"], v["message"]) for v in raw["violations"]
        ],
        values=dict(raw["values"]),
        attachments={n: base64.b64decode(d) for n, d in raw["attachments"].items()},
    )


class _EngineProcess:
    """One `node fill.mjs --lines` for the whole test process (Node starts in about 1.5 s; a
    record then takes a few milliseconds). Restarted if it dies or times out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._pid = os.getpid()

    def _started(self) -> subprocess.Popen[bytes]:
        if os.getpid() != self._pid:  # a forked child must not share the parent's pipes
            self._process, self._stderr, self._pid = None, None, os.getpid()
        if self._process is not None and self._process.poll() is None:
            return self._process
        self.close()
        ensure_installed()
        # A file, not a pipe, so engine warnings never block it; closed with the process.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            ["node", str(FILL_SCRIPT), "--lines"],
            cwd=ENGINE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        return self._process

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def request(self, payload: object, timeout: float) -> Any:
        with self._lock:
            process = self._started()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(payload).encode("utf-8") + b"\n")
                process.stdin.flush()
            except BrokenPipeError:
                pass  # it died: readline below gets EOF and reports its stderr
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            line = process.stdout.readline() if ready else b""
            if not line:
                why = "timed out" if not ready else "exited"
                stderr = self._stderr_text()
                self.close()
                raise EngineError(f"fill.mjs {why}:\n{stderr}")
            return json.loads(line)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


_engine = _EngineProcess()
atexit.register(_engine.close)


def fill(
    form_xml: bytes,
    answers: Sequence[Answer],
    attachments: dict[str, bytes] | None = None,
    *,
    device_id: str = DEVICE_ID,
    language: str | None = None,
) -> EngineResult:
    """Fill one record with ODK's engine. `attachments` are the form's media by file name
    (`villages.csv` for `select_one_from_file villages.csv`). `language` picks the language of
    violation messages ("English (en)" or "en"; default: the form's default). Raises EngineError
    when an answer cannot be given (unknown or non-relevant reference, a choice the engine does
    not offer, …) or the form cannot be loaded (missing media…)."""
    request = EngineRequest(form_xml, answers, attachments, device_id, language)
    return _result(_engine.request(_request_json(request), timeout=120), "")


def fill_many(requests: Iterable[EngineRequest]) -> list[EngineResult]:
    """Fill many records in one request to the engine process (each form is parsed once).
    Raises EngineError for the first request that cannot be carried out."""
    batch = [_request_json(r) for r in requests]
    raw = _engine.request(batch, timeout=120 + 2 * len(batch))
    return [_result(r, f"request {i}: ") for i, r in enumerate(raw)]
