"""Crash test: SIGKILL the real server (gunicorn's whole process group) at random moments while
phones submit, restart it, repeat; then prove that nothing acknowledged was lost or doubled.

For each database (SQLite, PostgreSQL) the script starts `rasoat serve` (gunicorn, 2 workers ×
4 threads) on a fresh database and data folder with one small form of three photo questions,
and creates one phone (app user). Each round it starts the server, lets --phones client threads
submit (new records with a photo, Collect-style split uploads of three photos over several
POSTs, and edits of records already acknowledged), kills every server process with SIGKILL
after a random 0.5–--max-up seconds, and starts it again on the same database and files. Like
Collect, a phone keeps a record until every POST of it was answered 201/202, and sends it
again, from its first POST, when a request failed. After the last round the server is started
once more (its start-up sweep removes files no row refers to: the promise of
server/storage/blobs.py) and the phones send what they still hold, without kills.

Then, read from the database and the file store (bench/crash_check.py): every POST answered
201/202 is there byte for byte (sha256 of the XML and of each attachment file), every record a
phone holds was stored in the end, nothing is stored twice (one version per instanceID, one
submission per record, one current version, one row per attachment name), nothing is stored
that a phone did not send, and every file in the store is referred to by a row and every row's
file exists (no orphans after the start-up sweep).

Examples:
    .venv/bin/python bench/crash.py                       # 20 rounds on each database
    .venv/bin/python bench/crash.py --database sqlite --rounds 3 --phones 4
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from bench.commands import create_phone  # noqa: E402
from bench.crash_check import Ledger, Verdict, unreferenced_files, verify  # noqa: E402
from bench.crash_phone import Phone, write_form  # noqa: E402
from bench.ingest import (  # noqa: E402
    RASOAT,
    free_port,
    log_tail,
    postgres_database,
    wait_healthy,
)

# Small on purpose: three photos of 20–70 KB rarely fit one POST, so Collect splits them.
ADVERTISED_BYTES = 100_000


@dataclass
class Round:
    number: int
    up_s: float
    acknowledged: int


@dataclass
class CrashReport:
    database: str
    rounds: list[Round] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    verdict: Verdict | None = None
    seconds: float = 0.0
    orphans_before_sweep: int = 0

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


class ServerProcess:
    """`rasoat serve` in its own session, so that SIGKILL reaches the master and every worker."""

    def __init__(self, env: dict[str, str], port: int, log: IO[bytes]) -> None:
        self.env, self.port, self.log = env, port, log
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(RASOAT), "serve", "--port", str(self.port), "--workers", "2", "--threads", "4"],
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_healthy(self.base_url, self.process, Path(self.log.name))

    def kill(self) -> None:
        """SIGKILL the whole process group and wait until none of it is left."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise RuntimeError("server processes survived SIGKILL")

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as at the end of the run."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def scratch(database: str) -> Iterator[tuple[str, Path]]:
    """A fresh database URL and data folder, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=f"rasoat-crash-{database}-"))
    try:
        if database == "sqlite":
            yield f"sqlite:///{tmp / 'rasoat.db'}", tmp
        else:
            with postgres_database() as url:
                yield url, tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_phones(phones: list[Phone], until: threading.Event) -> list[threading.Thread]:
    threads = [threading.Thread(target=p.run, args=(until,), daemon=True) for p in phones]
    for thread in threads:
        thread.start()
    return threads


def crash_run(
    database: str, rounds: int, phones: int, max_up_s: float, seed: int, quiet: bool = False
) -> CrashReport:
    began = time.monotonic()
    rng = random.Random(seed)
    report = CrashReport(database)
    with scratch(database) as (db_url, tmp):
        forms_dir = tmp / "forms"
        write_form(forms_dir)
        env = {
            "RASOAT_DATABASE_URL": db_url,
            "RASOAT_DATA_DIR": str(tmp / "data"),
            "RASOAT_FORMS_DIR": str(forms_dir),
            "RASOAT_ADVERTISED_SUBMISSION_BYTES": str(ADVERTISED_BYTES),
            "RASOAT_SECRET_KEY": secrets.token_hex(16),
        }
        port = free_port()
        env["RASOAT_BASE_URL"] = f"http://127.0.0.1:{port}"
        log_path = tmp.parent / f"{tmp.name}-server.log"
        with log_path.open("wb") as log:
            server = ServerProcess(env, port, log)
            server.start()  # migrates, publishes the form
            token_url = create_phone(env, "Crash")
            ledger = Ledger()
            clients = [
                Phone(token_url, ledger, random.Random(rng.random()), number=i)
                for i in range(phones)
            ]
            try:
                for number in range(1, rounds + 1):
                    if number > 1:
                        server.start()
                    before = ledger.acknowledged_posts
                    until = threading.Event()
                    threads = run_phones(clients, until)
                    up = rng.uniform(0.5, max_up_s)
                    time.sleep(up)
                    server.kill()
                    until.set()
                    for thread in threads:
                        thread.join(timeout=60)
                    report.rounds.append(Round(number, up, ledger.acknowledged_posts - before))
                    if not quiet:
                        print(
                            f"[{database}] round {number}: killed after {up:.2f} s, "
                            f"{ledger.acknowledged_posts - before} POSTs acknowledged",
                            flush=True,
                        )
                report.orphans_before_sweep = unreferenced_files(db_url, tmp / "data" / "blobs")
                server.start()  # the start-up sweep runs here
                for phone in clients:
                    phone.finish()  # send what is still held, no kills now
                server.stop()
            except BaseException:
                server.kill()
                print(log_tail(log_path), file=sys.stderr)
                raise
        for phone in clients:
            report.outcomes.update(phone.outcomes)
        report.verdict = verify(db_url, tmp / "data" / "blobs", ledger, clients)
        if report.verdict.ok:
            log_path.unlink(missing_ok=True)
        else:
            print(f"server log kept: {log_path}", file=sys.stderr)
    report.seconds = time.monotonic() - began
    return report


def print_report(report: CrashReport) -> None:
    verdict = report.verdict
    assert verdict is not None
    ups = [r.up_s for r in report.rounds]
    print(f"\n== {report.database}: {len(report.rounds)} rounds in {report.seconds:.0f} s")
    print(f"server up per round: {min(ups):.2f}–{max(ups):.2f} s")
    print(f"POST outcomes: {dict(sorted(report.outcomes.items()))}")
    print(f"files no row refers to after the last kill: {report.orphans_before_sweep}")
    for line in verdict.summary():
        print(line)
    print("RESULT:", "OK" if verdict.ok else "FAILED")
    for problem in verdict.problems[:50]:
        print("  -", problem)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--phones", type=int, default=6, help="client threads")
    parser.add_argument("--max-up", type=float, default=4.0, help="longest life of a round, s")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    print(f"seed {seed}")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    ok = True
    for database in databases:
        report = crash_run(database, args.rounds, args.phones, args.max_up, seed)
        print_report(report)
        ok = ok and report.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
