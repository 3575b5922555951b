"""Soak test: mixed load on a real rasoat server for a long time (default 30 minutes).

Starts `rasoat serve --demo` (gunicorn, fresh database and data folder, the Cam Lộ demo: 846
submissions, so the tables have rows) the way ingest.py starts its server, creates one phone of
commune 19603 and signs in to the JSON API as the demo administrator. Then, until the time is
up:

- --phones simulated phones (one thread each, own HTTP session): each polls the form list every
  --poll-seconds and sends a household_contact record with a 20–200 KB photo every
  --submit-seconds (first moments spread at random, so the phones do not march in step);
- --staff people download tables through the API with the bearer token, one every
  --download-seconds each, in turn: the summary as CSV and XLSX, the deficiency list as XLSX,
  the due-visit list as CSV.

It reports per kind: requests, successes (201 for submissions, 200 otherwise), errors by status
or exception, throughput and p50/p99/max latency; and every --sample-seconds the server's memory
(RSS and PSS summed over gunicorn's master and workers, from /proc) with the requests done so
far. Exit status 1 when any request failed.

Examples:
    .venv/bin/python bench/soak.py                                # 30 minutes on SQLite
    .venv/bin/python bench/soak.py --minutes 10 --database postgresql
    .venv/bin/python bench/soak.py --minutes 0.5 --phones 20 --poll-seconds 3 --submit-seconds 4
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from bench.commands import create_phone, rasoat  # noqa: E402
from bench.ingest import (  # noqa: E402
    INSTANCE_TEMPLATE,
    Body,
    _multipart,
    started_server,
    tree_memory,
)
from server.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD  # noqa: E402

KINDS = ("submission", "formList", "download")
OK = {"submission": "201", "formList": "200", "download": "200"}
DOWNLOADS = (
    "/v1/reports/summary?area=468&period=2026&format=csv",
    "/v1/reports/summary?area=468&period=2026&format=xlsx",
    "/v1/lists/deficiencies?area=468&period=2026&format=xlsx",
    "/v1/lists/due-visits?area=468&format=csv",
)
TIMEOUT_S = 120
MB = 1024 * 1024


@dataclass
class Stats:
    """Every request's outcome and latency, per kind (threads append under one lock)."""

    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, outcome: str, ms: float, detail: str = "") -> None:
        with self.lock:
            self.outcomes[kind][outcome] += 1
            self.latencies[kind].append(ms)
        if outcome != OK[kind]:
            print(f"  ! {time.strftime('%H:%M:%S')} {kind} {outcome} after {ms:.0f} ms {detail}")

    def done(self) -> int:
        with self.lock:
            return sum(sum(c.values()) for c in self.outcomes.values())

    def errors(self) -> int:
        with self.lock:
            return sum(n for k, c in self.outcomes.items() for o, n in c.items() if o != OK[k])


@dataclass
class Sample:
    minute: float
    rss_mb: float
    pss_mb: float
    processes: int
    requests: int


def timed(
    session: requests.Session, method: str, url: str, **kwargs: object
) -> tuple[str, float, str]:
    """(status or exception name, latency in ms, what went wrong if anything)."""
    start = time.perf_counter()
    detail = ""
    try:
        response = session.request(method, url, timeout=TIMEOUT_S, **kwargs)  # type: ignore[arg-type]
        outcome = str(response.status_code)
        if response.status_code >= 300:
            detail = response.text[:200].replace("\n", " ")
    except requests.RequestException as exc:
        outcome, detail = type(exc).__name__, str(exc)[:200]
    return outcome, (time.perf_counter() - start) * 1000, detail


def submission_body(seq: int, rng: random.Random) -> Body:
    """A household_contact record with a fresh instanceID and a photo of unique bytes."""
    xml = INSTANCE_TEMPLATE.format(
        code=f"CL-{seq % 10000:04d}",
        photo="<house_photo>photo.jpg</house_photo>",
        instance_id=f"soak-{seq}-{rng.getrandbits(64):016x}",
    )
    photo = b"\xff\xd8\xff\xe0" + os.urandom(rng.randint(20_000, 200_000))
    return _multipart(
        [
            ("xml_submission_file", "x.xml", "text/xml", xml.encode("utf-8")),
            ("photo.jpg", "photo.jpg", "image/jpeg", photo),
        ]
    )


@dataclass
class Load:
    token_url: str
    base_url: str
    bearer: dict[str, str]
    stats: Stats
    stop: threading.Event
    args: argparse.Namespace
    seq: Iterator[int] = field(default_factory=itertools.count)
    seq_lock: threading.Lock = field(default_factory=threading.Lock)

    def next_seq(self) -> int:
        with self.seq_lock:
            return next(self.seq)

    def phone(self, number: int) -> None:
        rng = random.Random(number)
        http = requests.Session()
        http.headers["X-OpenRosa-Version"] = "1.0"
        device = f"?deviceID=collect%3Asoak{number:04d}"
        poll_s, submit_s = self.args.poll_seconds, self.args.submit_seconds
        now = time.monotonic()
        next_poll, next_submit = now + rng.uniform(0, poll_s), now + rng.uniform(0, submit_s)
        while not self.stop.wait(max(0.0, min(next_poll, next_submit) - time.monotonic())):
            if time.monotonic() >= next_poll:
                outcome, ms, why = timed(http, "GET", f"{self.token_url}/formList{device}")
                self.stats.record("formList", outcome, ms, why)
                next_poll += poll_s
            if time.monotonic() >= next_submit:
                body = submission_body(self.next_seq(), rng)
                outcome, ms, why = timed(
                    http,
                    "POST",
                    f"{self.token_url}/submission{device}",
                    data=body.data,
                    headers={"Content-Type": body.content_type},
                )
                self.stats.record("submission", outcome, ms, why)
                next_submit += submit_s

    def staff(self, number: int) -> None:
        http = requests.Session()
        http.headers.update(self.bearer)
        for turn in itertools.count(number):
            path = DOWNLOADS[turn % len(DOWNLOADS)]
            outcome, ms, why = timed(http, "GET", self.base_url + path)
            self.stats.record("download", outcome, ms, f"{path} {why}")
            if self.stop.wait(self.args.download_seconds):
                return


def prepare(env: dict[str, str], demo: bool) -> str:
    """The phone's token URL; without the demo, its areas and administrator first."""
    if not demo:
        rasoat(env, "areas", "import", str(REPO_ROOT / "server/demo/areas.csv"))
        rasoat(
            env,
            "users",
            "create-admin",
            "--email",
            DEMO_ADMIN_EMAIL,
            "--password",
            DEMO_ADMIN_PASSWORD,
        )
    return create_phone(env, "Soak", "--area", "19603")


def sign_in(base_url: str) -> dict[str, str]:
    body = {"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD}
    response = requests.post(f"{base_url}/v1/sessions", json=body, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sample(pid: int, began: float, stats: Stats) -> Sample:
    memory = tree_memory(pid)
    return Sample(
        (time.monotonic() - began) / 60,
        memory.rss / MB,
        memory.pss / MB,
        memory.processes,
        stats.done(),
    )


def run(args: argparse.Namespace) -> tuple[Stats, list[Sample], float]:
    stats, samples = Stats(), []
    demo = () if args.no_demo else ("--demo",)
    with started_server(args.database, args.workers, args.threads, *demo, timeout=900) as srv:
        print(f"[{args.database}] server pid {srv.process.pid} on {srv.base_url}", flush=True)
        token_url = prepare(srv.env, not args.no_demo)
        load = Load(token_url, srv.base_url, sign_in(srv.base_url), stats, threading.Event(), args)
        threads = [threading.Thread(target=load.phone, args=(i,)) for i in range(args.phones)]
        threads += [threading.Thread(target=load.staff, args=(i,)) for i in range(args.staff)]
        began = time.monotonic()
        samples.append(sample(srv.process.pid, began, stats))
        for thread in threads:
            thread.start()
        end = began + args.minutes * 60
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(args.sample_seconds, left))
            samples.append(sample(srv.process.pid, began, stats))
            last = samples[-1]
            print(
                f"  {last.minute:6.1f} min  RSS {last.rss_mb:7.1f} MB  PSS {last.pss_mb:7.1f} MB"
                f"  {last.requests} requests, {stats.errors()} errors",
                flush=True,
            )
        load.stop.set()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
    return stats, samples, wall


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(args: argparse.Namespace, stats: Stats, samples: list[Sample], wall: float) -> None:
    print(f"\n== {args.database}: {wall / 60:.1f} min, {args.phones} phones, {args.staff} staff")
    print("| kind | requests | ok | errors | per s | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in KINDS:
        outcomes, times = stats.outcomes[kind], stats.latencies[kind]
        ok = outcomes[OK[kind]]
        errors = {o: n for o, n in outcomes.items() if o != OK[kind]}
        print(
            f"| {kind} | {sum(outcomes.values())} | {ok} | {errors or 0} | {ok / wall:.2f}"
            f" | {percentile(times, 50):.0f} | {percentile(times, 99):.0f}"
            f" | {max(times, default=float('nan')):.0f} |"
        )
    print("\n| minute | RSS MB | PSS MB | processes | requests so far |")
    print("|---|---|---|---|---|")
    for s in samples:
        print(
            f"| {s.minute:.1f} | {s.rss_mb:.1f} | {s.pss_mb:.1f} | {s.processes} | {s.requests} |"
        )
    if len(samples) > 2:
        first, last = samples[1], samples[-1]  # from the first sample under load
        print(
            f"\nmemory from minute {first.minute:.1f} to {last.minute:.1f}: RSS"
            f" {last.rss_mb - first.rss_mb:+.1f} MB, PSS {last.pss_mb - first.pss_mb:+.1f} MB"
        )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--poll-seconds", type=float, default=60)
    parser.add_argument("--submit-seconds", type=float, default=60)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--download-seconds", type=float, default=5)
    parser.add_argument("--sample-seconds", type=float, default=60)
    parser.add_argument(
        "--no-demo", action="store_true", help="empty tables: start in seconds (the short test)"
    )
    parser.add_argument("--workers", type=int, default=None, help="default: serve's")
    parser.add_argument("--threads", type=int, default=None, help="default: serve's")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stats, samples, wall = run(args)
    report(args, stats, samples, wall)
    return 1 if stats.errors() else 0


if __name__ == "__main__":
    sys.exit(main())
