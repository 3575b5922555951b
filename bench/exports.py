"""Raw-export benchmark (issue 16, part 6): a form's records as Central's CSV zip and as XLSX.

For each database asked for, the script makes a fresh database (schema by the migrations and
the shipped forms, as `rasoat serve` starts), loads --records household_survey records, each
with a 4-member repeat (one survey's XML with its instanceID varied, inserted straight into
`submission` and `submission_version` in large transactions), then runs each export in a fresh
child process as `rasoat export` does (`services/raw_exports.prepare` and `write` to a
temporary file, as this machine's operator) and reports its wall time, its peak resident
memory (ru_maxrss of the child) and the file's size. The issue's target: 100,000 records
under 60 s and under 300 MB each.

Examples:
    .venv/bin/python bench/exports.py                          # both databases, 100,000
    .venv/bin/python bench/exports.py --database sqlite --records 2000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# The repository first, and not bench/ itself (whose sync.py would shadow the sync package).
sys.path[:] = [
    str(REPO_ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "bench"),
]

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/{name}"
FORM = "household_survey"
TARGET_S, TARGET_MB = 60.0, 300.0
BATCH = 5000


def _app(url: str, data_dir: Path) -> Any:
    from server import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RASOAT_DATA_DIR": str(data_dir)})


def _fresh_database(database: str, folder: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{folder / 'exports.db'}"
    import sqlalchemy

    name = f"bench_exports_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_URL.format(name=name)


def _drop(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import sqlalchemy

    name = url.rsplit("/", 1)[-1]
    engine = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def load(url: str, data_dir: Path, records: int) -> float:
    """The schema, the shipped forms and `records` records; returns the seconds it took."""
    from sqlalchemy import insert, select

    from server.cli import prepare
    from server.extensions import db, db_session
    from server.storage.models import Form, Submission, SubmissionVersion
    from tests.support.surveys import POOR, survey

    started = time.perf_counter()
    app = _app(url, data_dir)
    prepare(app, load_demo=False)
    template, template_id = survey(POOR)  # four members, as members() gives by default
    with app.app_context():
        session = db_session()
        form = session.scalars(select(Form).where(Form.xml_form_id == FORM)).one()
        version_id = form.published_version_id
        first = datetime(2026, 1, 1, tzinfo=UTC)
        for start in range(0, records, BATCH):
            count = min(BATCH, records - start)
            ids = [f"uuid:{uuid.uuid4()}" for _ in range(count)]
            moments = [first + timedelta(seconds=start + n) for n in range(count)]
            session.execute(
                insert(Submission),
                [
                    {"form_id": form.id, "instance_id": i, "created_at": m, "updated_at": m}
                    for i, m in zip(ids, moments, strict=True)
                ],
            )
            rows = session.execute(
                select(Submission.id, Submission.instance_id).where(Submission.instance_id.in_(ids))
            ).all()
            session.execute(
                insert(SubmissionVersion),
                [
                    {
                        "submission_id": sid,
                        "form_id": form.id,
                        "form_version_id": version_id,
                        "instance_id": iid,
                        "xml": template.replace(template_id.encode(), iid.encode()),
                        "xml_sha256": uuid.uuid4().hex * 2,
                        "current": True,
                        "complete": True,
                    }
                    for sid, iid in rows
                ],
            )
            session.commit()
        for engine in db.engines.values():
            engine.dispose()
    return time.perf_counter() - started


def child(url: str, data_dir: Path, file_format: str) -> None:
    """One export, as `rasoat export`; prints its figures as JSON."""
    from server.extensions import db_session
    from server.services import raw_exports
    from server.storage.transaction import writing

    app = _app(url, data_dir)
    with app.app_context():
        started = time.perf_counter()
        request = raw_exports.ExportRequest(1, FORM, file_format)
        with writing(db_session()):
            prepared = raw_exports.prepare(db_session(), None, request)
        with tempfile.TemporaryFile() as out:
            count = raw_exports.write(db_session(), prepared, out)
            size = out.tell()
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"records": count, "seconds": seconds, "peak_mb": peak_kb / 1024, "bytes": size})
    )


def run(database: str, records: int) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = _fresh_database(database, Path(folder))
        try:
            loaded = load(url, Path(folder), records)
            print(f"{database}: {records:,} records loaded in {loaded:.1f} s", flush=True)
            for file_format in ("csv.zip", "xlsx"):
                output = subprocess.run(
                    [sys.executable, __file__, "--child", url, folder, file_format],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                figures = json.loads(output.strip().splitlines()[-1])
                figures.update(database=database, format=file_format)
                per_100k = figures["seconds"] * 100_000 / max(1, figures["records"])
                print(
                    f"  {file_format:8} {figures['records']:>8,} records  "
                    f"{figures['seconds']:7.2f} s  (≈{per_100k:6.1f} s per 100,000; "
                    f"target {TARGET_S:.0f})  peak {figures['peak_mb']:6.1f} MB "
                    f"(target {TARGET_MB:.0f})  file {figures['bytes'] / 1e6:7.2f} MB",
                    flush=True,
                )
                results.append(figures)
        finally:
            _drop(url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, metavar=("URL", "DATA_DIR", "FORMAT"))
    args = parser.parse_args()
    if args.child:
        url, data_dir, file_format = args.child
        child(url, Path(data_dir), file_format)
        return
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for database in databases:
        run(database, args.records)


if __name__ == "__main__":
    main()
