"""Page-speed benchmark: every staff page on the demo data, against the 300 ms target.

For each database (SQLite by default; PostgreSQL with --database postgresql or both) the script
starts a real server as bench/ingest.py does (`rasoat serve --demo` on a free port: gunicorn,
fresh database and data folder, the Cam Lộ demo with its 846 submissions), adds an upper
officer for the demo district and a commune officer for the demo commune (and on PostgreSQL
runs VACUUM ANALYZE, as autovacuum soon would after the demo's bulk load), and signs in over
HTTP as the demo administrator and as each officer, like a browser (CSRF token, session
cookie). For each person it measures every page their menu links to, the home page, the
household survey's form page, its submissions and the first of them, the summary table's XLSX
download, and every other staff page without arguments that lets them in (the app's URL map):
--warmup requests first (not counted), then --requests requests one after another, each timed
from sending to the last byte read.

Columns: `median_ms`, `p95_ms` (nearest rank) and `max_ms` of the counted requests, `KB` the
body size, `met` whether p95 is under the target (exit status 1 if any page misses it or
answers other than 200).

Examples:
    .venv/bin/python bench/pages.py                               # SQLite, 20 requests a page
    .venv/bin/python bench/pages.py --database both --requests 40
    .venv/bin/python bench/pages.py --database postgresql --workers 2 --threads 4
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import secrets
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
# This folder holds sync.py, which would shadow the sync package: put the repository first.
sys.path[:] = [str(REPO_ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"
]

from bench.ingest import log_tail, started_server  # noqa: E402
from server.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD  # noqa: E402

TARGET_MS = 300.0
DEMO_COMMUNE = "19603"
DEMO_DISTRICT = "468"
OFFICER_EMAIL = "xa@rasoat.local"
UPPER_EMAIL = "huyen@rasoat.local"
OFFICER_PASSWORD = secrets.token_urlsafe(12)
UPPER_PASSWORD = secrets.token_urlsafe(12)
# The site menu (base.html); a list page also has a pager <nav>, which is not the menu.
NAV = re.compile(r'<nav id="site-menu"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"#]+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# One level below the menu: the household survey's page (its questions) and one of its records.
FORM_PAGE = "/forms/household_survey"
SUBMISSIONS = "/submissions?form=household_survey"
SUBMISSION_LINK = re.compile(r'href="(/submissions/household_survey/[^"?]+)"')


@dataclass
class Timing:
    database: str
    person: str
    path: str
    status: int
    kilobytes: float
    times_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]

    @property
    def met(self) -> bool:
        return self.status == 200 and self.p95 < TARGET_MS


@contextlib.contextmanager
def demo_server(database: str, workers: int | None, threads: int | None) -> Iterator[str]:
    """`rasoat serve --demo` on a fresh database and data folder, with a commune officer."""
    began = time.monotonic()
    # The demo's 846 submissions go through the normal ingest before the server answers.
    with started_server(database, workers, threads, "--demo", timeout=600) as started:
        print(
            f"[{database}] demo loaded and serving in {time.monotonic() - began:.0f} s "
            f"(pid {started.process.pid}, {started.base_url}, log {started.log_path})",
            flush=True,
        )
        add_officers(started.env["RASOAT_DATABASE_URL"], started.env["RASOAT_DATA_DIR"])
        try:
            yield started.base_url
        except Exception:
            print(log_tail(started.log_path), file=sys.stderr)
            raise


def add_officers(db_url: str, data_dir: str) -> None:
    """The demo has only an administrator: add an upper officer for the demo district and a
    commune officer for the demo phone's commune."""
    from sqlalchemy import text

    from server import create_app
    from server.domain.vocabulary import Role
    from server.extensions import db
    from server.services.users import create_user
    from server.storage.common import begin_write

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "RASOAT_DATA_DIR": data_dir})
    with app.app_context():
        begin_write(db.session)
        create_user(
            db.session,
            email=UPPER_EMAIL,
            display_name="Cán bộ huyện (bench)",
            password=UPPER_PASSWORD,
            role=Role.UPPER_OFFICER,
            area_code=DEMO_DISTRICT,
        )
        create_user(
            db.session,
            email=OFFICER_EMAIL,
            display_name="Cán bộ xã (bench)",
            password=OFFICER_PASSWORD,
            role=Role.COMMUNE_OFFICER,
            area_code=DEMO_COMMUNE,
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after the demo's bulk load: measure after it, not during.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE)"))
        db.engine.dispose()


def signed_in(base_url: str, email: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base_url}/login", timeout=30)
    token = CSRF.search(page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on /login: {page.text[:300]}")
    answer = http.post(
        f"{base_url}/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {email} answered {answer.status_code}")
    return http


def staff_pages() -> list[str]:
    """Every page of the staff site that takes no argument (GET routes of the `web` blueprint;
    not the sign-in page or the static files), read from the app's own URL map."""
    from server import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.")
        and "GET" in (rule.methods or ())
        and not rule.arguments
        and rule.endpoint not in ("web.login", "web.static")
    )


def pages_of(http: requests.Session, base_url: str) -> tuple[list[str], list[str]]:
    """The pages this person opens: the home page, every menu link, one item of each listing,
    the summary download, then every other staff page that lets them in (200); and the staff
    pages that do not (refused or sent elsewhere for their role), which are not measured."""
    home = http.get(f"{base_url}/", timeout=30).text
    nav = NAV.search(home)
    if nav is None:
        raise RuntimeError(f"no site menu on / : {home[:300]}")
    links = HREF.findall(nav.group(1))
    paths = ["/", *[link for link in links if link != "/"]]
    if "/forms" in paths:
        paths.append(FORM_PAGE)
    if "/submissions" in paths:
        paths.append(SUBMISSIONS)
        if found := SUBMISSION_LINK.search(http.get(base_url + SUBMISSIONS, timeout=60).text):
            paths.append(found.group(1))
    paths.append("/reports/summary?format=xlsx")
    refused = []
    for path in staff_pages():
        if path in paths:
            continue
        answer = http.get(base_url + path, allow_redirects=False, timeout=60)
        (paths if answer.status_code == 200 else refused).append(path)
    return list(dict.fromkeys(paths)), refused


def measure(
    http: requests.Session, base_url: str, path: str, warmup: int, count: int
) -> tuple[int, float, list[float]]:
    for _ in range(warmup):
        http.get(base_url + path, timeout=60)
    times, status, size = [], 0, 0
    for _ in range(count):
        started = time.perf_counter()
        answer = http.get(base_url + path, allow_redirects=False, timeout=60)
        body = answer.content
        times.append((time.perf_counter() - started) * 1000)
        status, size = answer.status_code, len(body)
    return status, size / 1024, times


def bench(database: str, args: argparse.Namespace) -> list[Timing]:
    results = []
    with demo_server(database, args.workers, args.threads) as base_url:
        people = {
            "administrator": (DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD),
            "upper officer": (UPPER_EMAIL, UPPER_PASSWORD),
            "commune officer": (OFFICER_EMAIL, OFFICER_PASSWORD),
        }
        for person, (email, password) in people.items():
            http = signed_in(base_url, email, password)
            paths, refused = pages_of(http, base_url)
            if refused:
                print(f"[{database}] {person}: not theirs, not measured: {' '.join(refused)}")
            for path in paths:
                status, kb, times = measure(http, base_url, path, args.warmup, args.requests)
                timing = Timing(database, person, path, status, kb, times)
                print_row(row(timing))
                results.append(timing)
    return results


COLUMNS = ("db", "person", "page", "status", "KB", "median_ms", "p95_ms", "max_ms", "met")


def row(t: Timing) -> tuple[str, ...]:
    return (
        t.database,
        t.person,
        t.path,
        str(t.status),
        f"{t.kilobytes:.0f}",
        f"{t.median:.0f}",
        f"{t.p95:.0f}",
        f"{max(t.times_ms):.0f}",
        "yes" if t.met else "NO",
    )


def print_row(cells: tuple[str, ...]) -> None:
    print("  ".join(cells), flush=True)


def markdown(results: list[Timing]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(t)) + " |" for t in results]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20, help="counted requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="uncounted requests first")
    parser.add_argument("--workers", type=int, help="gunicorn workers (serve's default)")
    parser.add_argument("--threads", type=int, help="threads per worker (serve's default)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print_row(COLUMNS)
    results = [timing for database in databases for timing in bench(database, args)]
    print()
    print(markdown(results))
    missed = [t for t in results if not t.met]
    print(f"\n{len(results) - len(missed)} of {len(results)} pages under {TARGET_MS:.0f} ms (p95)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
