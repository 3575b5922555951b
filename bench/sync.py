"""Sync benchmark: push 10,000 queued submissions from an Outbox to a real rasoat server.

For each database (SQLite, PostgreSQL) the script starts its own `rasoat serve` (gunicorn, fresh
database and data folder, as bench/ingest.py does), queues --n instances of the shipped
`household_contact` form in a fresh outbox and pushes them with the sync package's Pusher and
SyncClient over loopback, one request at a time, as `rasoat sync push` does. It reports:

- the push: wall time and submissions/s, server included;
- the outbox's own cost per item, measured apart from any network: enqueueing one item per
  transaction (as a forwarding server does after each stored submission), enqueueing a whole
  folder in one transaction (as `--from-collect` does), and the state changes of a push
  (read, attempt counted, marked sent: three fsynced transactions) against a no-op sender.

Examples:
    .venv/bin/python bench/sync.py                         # both databases, 10,000 each
    .venv/bin/python bench/sync.py --database sqlite --n 500 --attachment-kb 50
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# This file is bench/sync.py, which would shadow the sync package: put the repository first.
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from bench.ingest import INSTANCE_TEMPLATE, own_server  # noqa: E402
from sync import Instance, Outbox, Pusher, PushPolicy, SyncClient  # noqa: E402
from sync.replies import Acknowledgement  # noqa: E402


def instances(n: int, attachment_kb: int) -> list[Instance]:
    made = []
    for seq in range(n):
        instance_id = str(uuid.uuid4())
        code = f"1960301-{seq:06d}"
        photo = "<photo>photo.jpg</photo>" if attachment_kb else ""
        xml = INSTANCE_TEMPLATE.format(code=code, photo=photo, instance_id=instance_id)
        files = [("photo.jpg", os.urandom(attachment_kb * 1024))] if attachment_kb else []
        made.append(Instance("household_contact", f"uuid:{instance_id}", xml.encode(), files=files))
    return made


class NoopClient:
    """Stands in for SyncClient: every POST "succeeds" at once, so only the outbox is timed."""

    device_id = "bench"

    def preflight(self, *, force: bool = False) -> int:
        return 10_000_000

    def post_submission(
        self,
        xml: bytes,
        files: Sequence[tuple[str, bytes]] = (),
        *,
        xml_name: str = "submission.xml",
        incomplete: bool = False,
    ) -> Acknowledgement:
        return Acknowledgement(201, "ok")


@dataclass
class Result:
    label: str
    n: int
    enqueue_each_us: float
    enqueue_all_us: float
    noop_push_us: float
    push_s: float
    sent: int

    @property
    def rate(self) -> float:
        return self.sent / self.push_s if self.push_s else 0.0

    @property
    def overhead_share(self) -> float:
        per_item_us = self.push_s / max(self.sent, 1) * 1e6
        return self.noop_push_us / per_item_us


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def outbox_costs(folder: Path, items: list[Instance]) -> tuple[float, float, float]:
    """µs per item: enqueue one per transaction, enqueue all in one, push to a no-op sender."""
    n = len(items)
    with Outbox(folder / "each.sqlite3") as each:
        each_s = timed(lambda: [each.enqueue(i) for i in items])
        pusher = Pusher(each, NoopClient(), PushPolicy(), sleep=lambda _s: None)  # type: ignore[arg-type]
        noop_s = timed(pusher.run)
        assert len(pusher.summary.sent) == n, pusher.summary
    with Outbox(folder / "all.sqlite3") as together:
        all_s = timed(lambda: together.enqueue_all(items))
    return each_s / n * 1e6, all_s / n * 1e6, noop_s / n * 1e6


def bench(database: str, n: int, attachment_kb: int, folder: Path) -> Result:
    items = instances(n, attachment_kb)
    each_us, all_us, noop_us = outbox_costs(folder / database, items)
    print(
        f"[{database}] outbox: enqueue {each_us:.0f} µs/item (one transaction each),"
        f" {all_us:.0f} µs/item (one for all), push state changes {noop_us:.0f} µs/item",
        flush=True,
    )
    with (
        own_server(database, None, None) as server,
        Outbox(folder / database / "push.sqlite3") as outbox,
    ):
        outbox.enqueue_all(items)
        with SyncClient(server.token_url, device_id=outbox.device_id) as client:
            pusher = Pusher(outbox, client, PushPolicy(retries=3))
            push_s = timed(pusher.run)
        summary = pusher.summary
    print(
        f"[{database}] push: {len(summary.sent)} sent, {len(summary.rejected)} rejected,"
        f" {summary.still_queued} queued in {push_s:.1f} s = {len(summary.sent) / push_s:.0f}/s",
        flush=True,
    )
    return Result(database, n, each_us, all_us, noop_us, push_s, len(summary.sent))


def markdown(results: list[Result], attachment_kb: int) -> str:
    lines = [
        "| db | items | attachment | push s | subs/s | enqueue µs/item (txn each)"
        " | enqueue µs/item (one txn) | push state changes µs/item | outbox share of push |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.n:,} | {attachment_kb} KB | {r.push_s:.1f} | {r.rate:.0f}"
            f" | {r.enqueue_each_us:.0f} | {r.enqueue_all_us:.0f} | {r.noop_push_us:.0f}"
            f" | {r.overhead_share:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--n", type=int, default=10_000, help="queued submissions (10,000)")
    parser.add_argument("--attachment-kb", type=int, default=0, help="one photo per item")
    parser.add_argument("--outbox-dir", type=Path, help="where the outboxes go (a temp dir)")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="rasoat-bench-sync-", dir=args.outbox_dir) as tmp:
        for database in args.database or ["sqlite", "postgresql"]:
            (Path(tmp) / database).mkdir()
            results.append(bench(database, args.n, args.attachment_kb, Path(tmp)))
    print()
    print(markdown(results, args.attachment_kb))
    return 0 if all(r.sent == r.n for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
