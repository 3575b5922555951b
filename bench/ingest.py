"""Ingest benchmark: POST generated OpenRosa submissions to a real rasoat server over HTTP.

For each database (SQLite, PostgreSQL) the script starts its own `rasoat serve` (fresh temporary
data directory, fresh database, random free port), creates a phone (app user), warms up, then
for each variant (no attachment / one attachment of --attachment-kb KB) and each concurrency level
posts --n submissions, each with a unique instanceID, from a thread pool with one
`requests.Session` per thread. It reports submissions/s, p50/p95/p99 latency, errors (anything
but HTTP 201) and the peak memory of the server process tree (gunicorn master + workers, read
from /proc while the level runs). RSS is summed over the processes, so pages the forked workers
share with the master are counted more than once; PSS (proportional set size) is shown next to
it as the fairer figure.

The client runs on the same machine as the server, so at high concurrency both compete for the
CPU; read the numbers as "what this box can do", not as the server's limit.

Examples:
    .venv/bin/python bench/ingest.py                          # both databases, full run
    .venv/bin/python bench/ingest.py --database sqlite --n 50 --concurrency 1,4
    .venv/bin/python bench/ingest.py --token-url http://host:5000/v1/key/<token>/projects/1
    # issue 18's comparison: household surveys, 5 % identical re-sends, against the bare floor
    # (bench/floor.py, gunicorn x4, one INSERT) on the same database, interleaved level by level
    .venv/bin/python bench/ingest.py --database postgresql --form household_survey \
        --resend-percent 5 --concurrency 16 --n 3000 --floor

With --form household_survey the server starts with --demo (the survey's villages must exist) and
every record is a whole household review (classification, registry, transitions), the work the
floor does not do; there is no attachment variant for it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
RASOAT = REPO_ROOT / ".venv" / "bin" / "rasoat"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL_TEMPLATE = "postgresql://postgres@127.0.0.1:5432/{name}"
TOKEN_URL_RE = re.compile(r"https?://\S+/v1/key/[A-Za-z0-9_-]{64}/projects/\d+")
DEVICE_ID = "collect%3Abench0000000000"
ATTACHMENT_NAME = "photo.jpg"
REQUEST_TIMEOUT_S = 300.0
SAMPLE_INTERVAL_S = 0.1
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

INSTANCE_TEMPLATE = (
    '<?xml version="1.0"?>'
    '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
    ' id="household_contact" version="2026112601">'
    "<start>2026-11-26T10:00:00.000+07:00</start><end>2026-11-26T10:05:00.000+07:00</end>"
    "<deviceid>collect:bench</deviceid><village>1960301</village>"
    "<household_code>{code}</household_code><head_name>Nguyễn Văn A</head_name>"
    "<phone>0912345678</phone><members>4</members>{photo}"
    "<location>16.8 107.0 0 5</location><note>ghi chú</note>"
    "<summary>{code} — Nguyễn Văn A</summary>"
    "<meta><instanceID>uuid:{instance_id}</instanceID>"
    "<instanceName>{code} Nguyễn Văn A</instanceName></meta></data>"
)


# --------------------------------------------------------------------------- request bodies


@dataclass(frozen=True)
class Body:
    content_type: str
    data: bytes


def _multipart(parts: list[tuple[str, str, str, bytes]]) -> Body:
    """Encode (field, filename, content type, payload) parts as multipart/form-data."""
    boundary = secrets.token_hex(16)
    chunks: list[bytes] = []
    for name, filename, content_type, payload in parts:
        chunks.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
        )
        chunks.append(payload)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return Body(f"multipart/form-data; boundary={boundary}", b"".join(chunks))


def survey_body(seq: int) -> Body:
    """A household_survey record of the shipped form (the tests' households: half poor, half not)
    for a household code of its own in a demo village."""
    sys.path.insert(0, str(REPO_ROOT))
    from tests.support.surveys import NOT_POOR, POOR, survey

    answers = {**(POOR if seq % 2 else NOT_POOR), "household_code": f"1960301-{seq:06d}"}
    xml, _ = survey(answers)
    return _multipart([("xml_submission_file", "x.xml", "text/xml", xml)])


def make_bodies(
    form: str, seq: Iterator[int], n: int, attachment_bytes: int, resend_percent: float
) -> list[Body]:
    """n bodies; `resend_percent` of them repeat an earlier body byte for byte (a phone that did
    not see the 201 sends again), spread evenly through the run."""
    fresh: list[Body] = []
    bodies: list[Body] = []
    every = round(100 / resend_percent) if resend_percent > 0 else 0
    for i in range(n):
        if every and i % every == every - 1 and fresh:
            bodies.append(fresh[len(fresh) // 2])
            continue
        body = (
            survey_body(next(seq))
            if form == "household_survey"
            else make_body(next(seq), attachment_bytes)
        )
        fresh.append(body)
        bodies.append(body)
    return bodies


def make_body(seq: int, attachment_bytes: int) -> Body:
    """One submission with a fresh instanceID; the attachment (if any) is unique random bytes."""
    code = f"CL-{seq:06d}"
    photo = (
        f"<house_photo>{ATTACHMENT_NAME}</house_photo>" if attachment_bytes else "<house_photo/>"
    )
    xml = INSTANCE_TEMPLATE.format(code=code, photo=photo, instance_id=uuid.uuid4())
    parts = [("xml_submission_file", "x.xml", "text/xml", xml.encode("utf-8"))]
    if attachment_bytes:
        # A JPEG start-of-image marker, then noise: unique content, so no blob deduplication.
        jpeg = b"\xff\xd8\xff\xe0" + os.urandom(attachment_bytes - 4)
        parts.append((ATTACHMENT_NAME, ATTACHMENT_NAME, "image/jpeg", jpeg))
    return _multipart(parts)


# --------------------------------------------------------------------------- memory (/proc)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    children = _children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _rss_bytes(pid: int) -> int:
    # statm field 2 = resident pages; cheaper to read than status.
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE


def _pss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Memory:
    rss: int = 0
    pss: int = 0
    processes: int = 0


def tree_memory(root: int) -> Memory:
    memory = Memory()
    for pid in process_tree(root):
        try:
            memory.rss += _rss_bytes(pid)
        except (OSError, ValueError):
            continue  # exited meanwhile
        memory.pss += _pss_bytes(pid)
        memory.processes += 1
    return memory


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int | None) -> float:
    """User + system CPU time used so far by the server's processes (gunicorn master and
    workers): the difference over a level, divided by the submissions, is the server's CPU cost
    per submission, which the load generator sharing the machine disturbs far less than the
    rate or the latency."""
    if root is None:
        return 0.0
    ticks = 0
    for pid in process_tree(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / CLOCK_TICKS


class MemorySampler:
    """Samples the server tree's memory in a background thread; keeps the peak."""

    def __init__(self, root: int | None) -> None:
        self.root = root
        self.peak = Memory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        if self.root is None:
            return
        memory = tree_memory(self.root)
        self.peak.rss = max(self.peak.rss, memory.rss)
        self.peak.pss = max(self.peak.pss, memory.pss)
        self.peak.processes = max(self.peak.processes, memory.processes)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL_S):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# --------------------------------------------------------------------------- server lifecycle


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import psycopg  # the server's own driver, already in the venv

    name = f"rasoat_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL_TEMPLATE.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    base_url: str
    token_url: str
    pid: int | None
    log_path: Path | None
    label: str
    database_url: str = ""

    @property
    def submission_url(self) -> str:
        """rasoat's OpenRosa submission URL for its app user; the floor takes any POST."""
        if not self.token_url:
            return f"{self.base_url}/submission"
        return f"{self.token_url}/submission?deviceID={DEVICE_ID}"


def log_tail(path: Path | None, lines: int = 40) -> str:
    if path is None or not path.exists():
        return "(no server log: external server)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_healthy(
    base_url: str, proc: subprocess.Popen[bytes] | None, log: Path | None, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base_url}/v1/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout:.0f} s:\n{log_tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the gunicorn master (graceful); SIGKILL its process group if it lingers."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group is ours: started with a new session
        proc.wait()


@dataclass
class Started:
    base_url: str
    env: dict[str, str]  # the server's RASOAT_* settings, for commands run beside it
    process: subprocess.Popen[bytes]
    log_path: Path


@contextlib.contextmanager
def started_server(
    database: str,
    workers: int | None,
    threads: int | None,
    *serve_args: str,
    timeout: float = 120,
) -> Iterator[Started]:
    """`rasoat serve` on a fresh database and data folder, both removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=f"rasoat-bench-{database}-"))
    log_path = Path(tempfile.gettempdir()) / f"{tmp.name}-server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        if database == "sqlite":
            db_url = f"sqlite:///{tmp / 'rasoat.db'}"
        else:
            db_url = stack.enter_context(postgres_database())
        env = {
            "RASOAT_DATABASE_URL": db_url,
            "RASOAT_DATA_DIR": str(tmp / "data"),
            "RASOAT_BASE_URL": base_url,
        }
        cmd = [str(RASOAT), "serve", "--port", str(port), *serve_args]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        log: IO[bytes] = stack.enter_context(log_path.open("wb"))
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(stop, proc)
        wait_healthy(base_url, proc, log_path, timeout)
        yield Started(base_url, env, proc, log_path)


@contextlib.contextmanager
def own_server(
    database: str, workers: int | None, threads: int | None, *serve_args: str
) -> Iterator[Server]:
    # A first start with --demo builds the demo registry: minutes on a loaded machine.
    with started_server(database, workers, threads, *serve_args, timeout=600) as started:
        created = subprocess.run(
            [str(RASOAT), "app-user", "create", "--name", "Bench"],
            cwd=REPO_ROOT,
            env={**os.environ, **started.env},
            capture_output=True,
            text=True,
            check=False,
        )
        match = TOKEN_URL_RE.search(created.stdout)
        if created.returncode != 0 or match is None:
            raise RuntimeError(f"app-user create failed:\n{created.stdout}\n{created.stderr}")
        pid, base_url = started.process.pid, started.base_url
        print(f"[{database}] server pid {pid} on {base_url}, log {started.log_path}", flush=True)
        yield Server(
            base_url,
            match.group(0),
            pid,
            started.log_path,
            database,
            started.env["RASOAT_DATABASE_URL"],
        )


# --------------------------------------------------------------------------- load generation


@dataclass
class LevelResult:
    label: str
    attach: str
    concurrency: int
    n: int
    ok: int
    statuses: Counter[str]
    latencies_ms: list[float]
    wall_s: float
    peak: Memory
    cpu_s: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.n - self.ok

    @property
    def cpu_ms_per_submission(self) -> float:
        return self.cpu_s * 1000 / self.ok if self.ok else float("nan")

    @property
    def rate(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


class Poster:
    """Posts prepared bodies; one requests.Session per worker thread."""

    def __init__(self, submission_url: str) -> None:
        self.url = submission_url
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["X-OpenRosa-Version"] = "1.0"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def post(self, body: Body) -> tuple[str, float]:
        """Return (status code or exception name, latency in ms)."""
        session = self._session()
        start = time.perf_counter()
        try:
            response = session.post(
                self.url,
                data=body.data,
                headers={"Content-Type": body.content_type},
                timeout=REQUEST_TIMEOUT_S,
            )
            _ = response.content
            outcome = str(response.status_code)
        except requests.RequestException as exc:
            outcome = type(exc).__name__
        return outcome, (time.perf_counter() - start) * 1000

    def close(self) -> None:
        for session in self._sessions:
            session.close()


def run_level(
    server: Server, attachment_bytes: int, concurrency: int, bodies: list[Body]
) -> LevelResult:
    n = len(bodies)
    poster = Poster(server.submission_url)
    with MemorySampler(server.pid) as sampler, ThreadPoolExecutor(concurrency) as pool:
        cpu_before = tree_cpu_seconds(server.pid)
        start = time.perf_counter()
        outcomes = list(pool.map(poster.post, bodies))
        wall = time.perf_counter() - start
        cpu = tree_cpu_seconds(server.pid) - cpu_before
    poster.close()
    statuses = Counter(status for status, _ in outcomes)
    return LevelResult(
        label=server.label,
        attach=f"{attachment_bytes // 1024}KB" if attachment_bytes else "none",
        concurrency=concurrency,
        n=n,
        ok=statuses.get("201", 0) + statuses.get("202", 0),
        statuses=statuses,
        latencies_ms=[ms for _, ms in outcomes],
        wall_s=wall,
        peak=sampler.peak,
        cpu_s=cpu,
    )


# --------------------------------------------------------------------------- reporting

COLUMNS = (
    "db",
    "attach",
    "conc",
    "n",
    "ok",
    "err",
    "subs/s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "cpu_ms/sub",
    "peak_rss_MB",
    "peak_pss_MB",
    "procs",
)


def row(r: LevelResult) -> tuple[str, ...]:
    mb = 1024 * 1024
    return (
        r.label,
        r.attach,
        str(r.concurrency),
        str(r.n),
        str(r.ok),
        str(r.errors),
        f"{r.rate:.1f}",
        f"{r.percentile(50):.1f}",
        f"{r.percentile(95):.1f}",
        f"{r.percentile(99):.1f}",
        f"{r.cpu_ms_per_submission:.2f}" if r.cpu_s else "-",
        f"{r.peak.rss / mb:.1f}" if r.peak.rss else "-",
        f"{r.peak.pss / mb:.1f}" if r.peak.pss else "-",
        str(r.peak.processes) if r.peak.processes else "-",
    )


def print_row(cells: tuple[str, ...]) -> None:
    widths = [10 if c == "db" else max(len(c), 6) for c in COLUMNS]
    print(" ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)), flush=True)


def markdown(results: list[LevelResult]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    return "\n".join(lines)


def server_log_findings(path: Path | None) -> dict[str, int]:
    """Count worrying lines in the server log (5xx, locks, tracebacks, worker (re)boots)."""
    if path is None or not path.exists():
        return {}
    text = path.read_text(errors="replace")
    patterns = {
        "HTTP 5xx": r'" 5\d\d ',
        "database is locked": r"database is locked",
        "Traceback": r"Traceback",
        "WORKER TIMEOUT": r"WORKER TIMEOUT",
        "worker boots": r"Booting worker",
    }
    return {k: len(re.findall(p, text)) for k, p in patterns.items()}


# --------------------------------------------------------------------------- main


def warm_up(server: Server, args: argparse.Namespace, seq: Iterator[int]) -> None:
    warm = Poster(server.submission_url)
    with ThreadPoolExecutor(4) as pool:
        bodies = make_bodies(args.form, seq, args.warmup, args.attachment_kb * 1024, 0)
        statuses = Counter(s for s, _ in pool.map(warm.post, bodies))
    warm.close()
    print(f"[{server.label}] warm-up {args.warmup}: {dict(statuses)}", flush=True)


def attachment_sizes(args: argparse.Namespace) -> tuple[int, ...]:
    return (0,) if args.form == "household_survey" else (0, args.attachment_kb * 1024)


def report_level(server: Server, result: LevelResult) -> None:
    print_row(row(result))
    if result.errors:
        bad = {k: v for k, v in result.statuses.items() if k not in ("201", "202")}
        print(
            f"    errors: {bad}\n--- server log tail ---\n{log_tail(server.log_path)}\n---",
            flush=True,
        )


def report_log(server: Server) -> None:
    findings = server_log_findings(server.log_path)
    if findings:
        print(f"[{server.label}] server log: {findings}", flush=True)
        if any(v for k, v in findings.items() if k != "worker boots"):
            print(f"--- server log tail ---\n{log_tail(server.log_path)}\n---", flush=True)


def bench_server(server: Server, args: argparse.Namespace, seq: Iterator[int]) -> list[LevelResult]:
    warm_up(server, args, seq)
    results: list[LevelResult] = []
    print_row(COLUMNS)
    for size in attachment_sizes(args):
        for concurrency in args.concurrency:
            bodies = make_bodies(args.form, seq, args.n, size, args.resend_percent)
            result = run_level(server, size, concurrency, bodies)
            results.append(result)
            report_level(server, result)
    report_log(server)
    return results


def bench_against_floor(
    server: Server, floor: Server, args: argparse.Namespace, seq: Iterator[int]
) -> list[LevelResult]:
    """Each level twice, rasoat then the floor, with byte-identical bodies (the floor gets its own
    copy: the same instanceIDs in another table), so both see the same machine at the same time."""
    warm_up(server, args, seq)
    warm_up(floor, args, seq)
    results: list[LevelResult] = []
    print_row(COLUMNS)
    for size in attachment_sizes(args):
        for concurrency in args.concurrency:
            for _ in range(args.rounds):
                bodies = make_bodies(args.form, seq, args.n, size, args.resend_percent)
                ours = run_level(server, size, concurrency, bodies)
                theirs = run_level(floor, size, concurrency, bodies)
                results += [ours, theirs]
                report_level(server, ours)
                report_level(floor, theirs)
                ratio = ours.rate / theirs.rate if theirs.rate else float("nan")
                print(f"    rasoat / floor = {ratio:.2f}", flush=True)
    report_log(server)
    report_log(floor)
    return results


@contextlib.contextmanager
def floor_server(database_url: str) -> Iterator[Server]:
    """bench/floor.py (gunicorn x4) on rasoat's own database, in a table of its own."""
    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"rasoat-bench-floor-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO_ROOT / "bench" / "floor.py"),
                "--database-url",
                database_url,
                "--port",
                str(port),
            ],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_healthy(base_url, proc, log_path, 60)
            print(f"[floor] pid {proc.pid} on {base_url}, log {log_path}", flush=True)
            yield Server(base_url, "", proc.pid, log_path, "floor")
        finally:
            stop(proc)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        action="append",
        help="database to start a server on (repeatable; default: both)",
    )
    parser.add_argument("--n", type=int, default=400, help="submissions per level (default 400)")
    parser.add_argument(
        "--concurrency",
        default="1,4,16,64",
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="comma-separated client concurrency levels (default 1,4,16,64)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: server's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: server's)")
    parser.add_argument(
        "--attachment-kb",
        type=int,
        default=100,
        help="size of the attachment in the second variant (default 100)",
    )
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests (default 50)")
    parser.add_argument(
        "--form",
        choices=("household_contact", "household_survey"),
        default="household_contact",
        help="what the phones send (default household_contact; household_survey starts the"
        " server with --demo and exercises the registry)",
    )
    parser.add_argument(
        "--resend-percent",
        type=float,
        default=0.0,
        help="share of byte-identical re-sends among the bodies (default 0; issue 18 uses 5)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run bench/floor.py on the same database and interleave it level by level",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="with --floor: rounds per level (default 1)"
    )
    parser.add_argument(
        "--token-url",
        help="app-user URL (…/v1/key/<token>/projects/<id>) of a running server:"
        " benchmark it instead of starting one",
    )
    parser.add_argument("--url", help="base URL of that server (default: from --token-url)")
    parser.add_argument(
        "--server-pid", type=int, help="gunicorn master PID of that server, to sample its memory"
    )
    args = parser.parse_args(argv)
    if args.url and not args.token_url:
        parser.error("--url needs --token-url (the app-user URL to submit to)")
    if args.floor and args.token_url:
        parser.error("--floor starts its own servers: it cannot be used with --token-url")
    if args.attachment_kb < 1:
        parser.error("--attachment-kb must be at least 1")
    args.token_url = args.token_url.rstrip("/") if args.token_url else None
    if args.token_url and not args.url:
        args.url = args.token_url.split("/v1/key/")[0]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    seq = itertools.count(1)  # household codes, unique across the whole run
    results: list[LevelResult] = []
    if args.token_url:
        wait_healthy(args.url, None, None)
        server = Server(args.url, args.token_url, args.server_pid, None, "external")
        results += bench_server(server, args, seq)
    else:
        serve_args = ("--demo",) if args.form == "household_survey" else ()
        for database in args.database or ["sqlite", "postgresql"]:
            with own_server(database, args.workers, args.threads, *serve_args) as server:
                if args.floor:
                    with floor_server(server.database_url) as floor:
                        results += bench_against_floor(server, floor, args, seq)
                else:
                    results += bench_server(server, args, seq)
    elapsed = time.monotonic() - started
    server_kind = "external server" if args.token_url else "own server"
    print(
        f"\n{server_kind}: workers={args.workers or 'default'} "
        f"threads={args.threads or 'default'} "
        f"n={args.n} form={args.form} resend={args.resend_percent:g}% "
        f"attachment={args.attachment_kb if args.form == 'household_contact' else 0}KB "
        f"floor={'yes' if args.floor else 'no'} cpus={os.cpu_count()} "
        f"total {elapsed:.0f} s\n"
    )
    print(markdown(results))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
