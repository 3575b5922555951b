"""Web form benchmark: the household survey opened in Chromium on a slow mobile line, then again
with no connection at all.

Starts a real server as bench/ingest.py does (`rasoat serve --demo`: gunicorn, fresh SQLite
database and data folder), creates a cadre's phone for the demo commune, and opens its web form
link (`/f/<token>/household_survey`) in Debian's Chromium (Playwright, phone viewport 390×844)
with the network emulated over the DevTools protocol (Network.emulateNetworkConditions:
--down-kbps 1600, --up-kbps 750, --latency-ms 150; Lighthouse's "slow 4G").

Measured, --runs times each, from navigation start:

* `first load`: a fresh browser profile (nothing cached): until the form is usable (ODK's
  engine reports the form ready) and until the page is ready offline (service worker installed
  and the page, the engine, the form and its village lists stored on the device);
* `reload online`: the same profile reloaded on the slow line (engine from the service worker,
  page and form revalidated over the network);
* `reload offline`: the same profile reloaded with the connection cut (context offline).

`KB` is what the page's requests took over the wire (compressed sizes and headers, from the
DevTools protocol; answers from the service worker or the disk cache count nothing, a 304
counts its headers); the service worker's own fetches (its navigation request, its pre-cache
of the engine, normally answered from the HTTP cache) are not included.

Examples:
    .venv/bin/python bench/webform.py
    .venv/bin/python bench/webform.py --runs 5 --down-kbps 400 --latency-ms 400   # 3G-ish
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# This folder holds sync.py, which would shadow the sync package: put the repository first.
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright  # noqa: E402

from bench.ingest import RASOAT, TOKEN_URL_RE, started_server  # noqa: E402
from tests.support.browser import CHROMIUM_FLAGS, PHONE, launch  # noqa: E402

FORM_READY = ".form-initialization-status.ready"
PAGE_READY = "body[data-ready=yes]"
TIMEOUT_MS = 180_000


@dataclass
class Row:
    name: str
    usable_s: list[float] = field(default_factory=list)
    offline_ready_s: list[float] = field(default_factory=list)
    kilobytes: list[float] = field(default_factory=list)

    def cells(self) -> list[str]:
        def median(values: list[float], fmt: str) -> str:
            return format(statistics.median(values), fmt) if values else "–"

        return [
            self.name,
            median(self.usable_s, ".2f"),
            median(self.offline_ready_s, ".2f"),
            f"{min(self.usable_s):.2f}–{max(self.usable_s):.2f}",
            median(self.kilobytes, ".0f"),
        ]


class Wire:
    """Bytes the page received over the network (not from its service worker or disk cache),
    counted from the DevTools protocol's own events."""

    def __init__(self, cdp: CDPSession) -> None:
        self.bytes = 0.0
        self.networked: set[str] = set()
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        # The engine's fonts are data: URLs, decoded without any network.
        if response["url"].startswith("data:"):
            return
        if not response.get("fromServiceWorker") and not response.get("fromDiskCache"):
            self.networked.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.networked:
            self.bytes += event.get("encodedDataLength", 0)

    def take(self) -> float:
        taken, self.bytes = self.bytes, 0.0
        return taken / 1024


def throttle(cdp: CDPSession, args: argparse.Namespace) -> None:
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": args.latency_ms,
            "downloadThroughput": args.down_kbps * 1000 / 8,
            "uploadThroughput": args.up_kbps * 1000 / 8,
        },
    )


def timed(page: Page, navigate: Callable[[], object], row: Row, wire: Wire) -> None:
    start = time.perf_counter()
    navigate()
    page.wait_for_selector(FORM_READY, state="attached", timeout=TIMEOUT_MS)
    row.usable_s.append(time.perf_counter() - start)
    page.wait_for_selector(PAGE_READY, timeout=TIMEOUT_MS)
    row.offline_ready_s.append(time.perf_counter() - start)
    row.kilobytes.append(wire.take())


def one_profile(
    context: BrowserContext, url: str, args: argparse.Namespace, rows: list[Row]
) -> None:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    throttle(cdp, args)
    wire = Wire(cdp)
    timed(page, lambda: page.goto(url, timeout=TIMEOUT_MS), rows[0], wire)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)  # let the service worker finish its pre-cache
    wire.take()
    timed(page, lambda: page.reload(timeout=TIMEOUT_MS), rows[1], wire)
    context.set_offline(True)
    timed(page, lambda: page.reload(timeout=TIMEOUT_MS), rows[2], wire)
    context.set_offline(False)


def cadre_url(env: dict[str, str]) -> str:
    created = subprocess.run(
        [str(RASOAT), "app-user", "create", "--name", "Bench web form", "--area", "19603"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    match = TOKEN_URL_RE.search(created.stdout)
    if match is None:
        raise RuntimeError(f"app-user create printed no URL:\n{created.stdout}")
    base, token = match.group(0).split("/v1/key/")
    return f"{base}/f/{token.split('/')[0]}/household_survey"


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"\nhousehold_survey web form, Chromium {PHONE['width']}×{PHONE['height']}, "
        f"{args.down_kbps} kbit/s down, {args.up_kbps} kbit/s up, {args.latency_ms} ms latency, "
        f"{args.runs} runs (medians)\n"
    )
    head = ["", "usable_s", "offline_ready_s", "usable range", "KB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--down-kbps", type=float, default=1600)
    parser.add_argument("--up-kbps", type=float, default=750)
    parser.add_argument("--latency-ms", type=float, default=150)
    args = parser.parse_args()
    rows = [Row("first load"), Row("reload online"), Row("reload offline")]
    with started_server("sqlite", None, None, "--demo") as server, sync_playwright() as pw:
        url = cadre_url(server.env)
        print(f"server {server.base_url}, browser flags {' '.join(CHROMIUM_FLAGS)}", flush=True)
        browser = launch(pw)
        for run in range(args.runs):
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            one_profile(context, url, args, rows)
            context.close()
            print(f"run {run + 1}: " + ", ".join(f"{r.name} {r.usable_s[-1]:.2f}s" for r in rows))
        browser.close()
    print_table(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
