"""Phones at 7 a.m.: a thousand phones open Collect within a minute and refresh their forms.

For each database the script starts a real server as bench/ingest.py does (`rasoat serve
--demo`: gunicorn, fresh database and data folder, the Cam Lộ demo), creates --phones phones
(app users), each limited to one demo village in turn (a village cadre's phone), then lets every
phone arrive at a random moment within --window seconds and do what Collect does on "Get blank
forms" with nothing cached: the form list, then for every form its manifest and every media
file the manifest names (villages.csv, followup_households.csv …). Each request is timed from
sending to the last byte read; the table gives p50/p95/p99 per kind of request and overall,
against issue 18's target (p99 under 300 ms).

Examples:
    .venv/bin/python bench/phone_burst.py                          # SQLite, 1,000 phones, 60 s
    .venv/bin/python bench/phone_burst.py --database postgresql --phones 300 --window 20
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
# This folder holds sync.py, which would shadow the sync package: put the repository first.
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from bench.ingest import log_tail, started_server  # noqa: E402

TARGET_P99_MS = 300.0
OPENROSA = {"X-OpenRosa-Version": "1.0"}


@dataclass
class Timings:
    by_kind: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.by_kind[kind].append(ms)
            if not ok:
                self.failures[kind] += 1


def create_phones(db_url: str, data_dir: str, count: int) -> list[str]:
    """`count` phones, each limited to one demo village in turn; their token URLs."""
    from sqlalchemy import select

    from server import create_app
    from server.extensions import db
    from server.services.app_users import create_app_user
    from server.storage.common import begin_write
    from server.storage.models import Area

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "RASOAT_DATA_DIR": data_dir})
    urls: list[str] = []
    with app.app_context():
        villages = list(
            db.session.scalars(
                select(Area.code).where(Area.level.in_(("village", "quarter"))).order_by(Area.code)
            )
        )
        begin_write(db.session)
        for n in range(count):
            phone = create_app_user(
                db.session,
                project_id=1,
                display_name=f"Điện thoại {n + 1}",
                realm=app.config["RASOAT_REALM"],
                area_code=villages[n % len(villages)],
            )
            urls.append(f"/v1/key/{phone.token}/projects/1")
        db.session.commit()
    return urls


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _texts(body: bytes, element: str, child: str) -> list[str]:
    root = ET.fromstring(body)
    found = []
    for node in root.iter():
        if _local(node.tag) == element:
            for part in node:
                if _local(part.tag) == child and part.text:
                    found.append(part.text.strip())
    return found


def one_phone(base_url: str, phone_path: str, timings: Timings) -> None:
    """Collect's "Get blank forms" with an empty cache: list, manifests, every media file."""
    with requests.Session() as http:
        http.headers.update(OPENROSA)

        def get(kind: str, url: str) -> bytes:
            start = time.perf_counter()
            try:
                response = http.get(url, timeout=60)
                body = response.content
                ok = response.status_code == 200
            except requests.RequestException:
                body, ok = b"", False
            timings.add(kind, (time.perf_counter() - start) * 1000, ok)
            return body if ok else b""

        listing = get("formList", f"{base_url}{phone_path}/formList")
        if not listing:
            return
        for manifest_url in _texts(listing, "xform", "manifestUrl"):
            manifest = get("manifest", manifest_url)
            if not manifest:
                continue
            for media_url in _texts(manifest, "mediaFile", "downloadUrl"):
                name = media_url.rsplit("/", 1)[-1]
                get(f"media {name}", media_url)


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def burst(base_url: str, phones: list[str], window: float, concurrency: int) -> Timings:
    timings = Timings()
    arrivals = sorted(random.uniform(0, window) for _ in phones)
    began = time.monotonic()

    def arrive(job: tuple[float, str]) -> None:
        at, phone = job
        delay = began + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        one_phone(base_url, phone, timings)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(arrive, zip(arrivals, phones, strict=True)))
    print(f"    burst took {time.monotonic() - began:.1f} s for a {window:.0f} s window")
    return timings


def report(label: str, timings: Timings) -> bool:
    print(f"\n[{label}]")
    print(f"{'request':>32} {'n':>6} {'fail':>5} {'p50_ms':>8} {'p95_ms':>8} {'p99_ms':>8}")
    everything: list[float] = []
    for kind in sorted(timings.by_kind):
        values = timings.by_kind[kind]
        everything += values
        print(
            f"{kind:>32} {len(values):>6} {timings.failures.get(kind, 0):>5}"
            f" {percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f}"
            f" {percentile(values, 99):>8.1f}"
        )
    p99 = percentile(everything, 99)
    failures = sum(timings.failures.values())
    print(
        f"{'all':>32} {len(everything):>6} {failures:>5} {percentile(everything, 50):>8.1f}"
        f" {percentile(everything, 95):>8.1f} {p99:>8.1f}"
        f"   target p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'MISSED'}"
    )
    return p99 < TARGET_P99_MS and not failures


@contextlib.contextmanager
def demo(
    database: str, workers: int | None, threads: int | None
) -> Iterator[tuple[str, dict[str, str]]]:
    with started_server(database, workers, threads, "--demo", timeout=600) as started:
        try:
            yield started.base_url, started.env
        except Exception:
            print(log_tail(started.log_path), file=sys.stderr)
            raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds the arrivals span")
    parser.add_argument(
        "--concurrency", type=int, default=64, help="client threads (phones in flight at most)"
    )
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    all_met = True
    for database in databases:
        with demo(database, args.workers, args.threads) as (base_url, env):
            began = time.monotonic()
            phones = create_phones(env["RASOAT_DATABASE_URL"], env["RASOAT_DATA_DIR"], args.phones)
            print(f"[{database}] {len(phones)} phones in {time.monotonic() - began:.0f} s")
            timings = burst(base_url, phones, args.window, args.concurrency)
            all_met &= report(f"{database}: {args.phones} phones in {args.window:.0f} s", timings)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
