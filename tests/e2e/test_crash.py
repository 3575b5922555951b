"""The crash test (bench/crash.py) in its short form: the real server killed with SIGKILL three
times under concurrent submissions on this run's database; every POST answered 201/202 is
stored byte for byte, nothing twice, no file left that no row refers to. The full form (20
rounds on each database) is `.venv/bin/python bench/crash.py`."""

from __future__ import annotations

import pytest

from bench.crash import crash_run, print_report

pytestmark = pytest.mark.e2e


def test_a_server_killed_with_sigkill_under_load_loses_and_duplicates_nothing(
    db_kind: str,
) -> None:
    report = crash_run(db_kind, rounds=3, phones=4, max_up_s=3.0, seed=2026, quiet=True)

    print_report(report)
    assert report.verdict is not None
    assert report.verdict.problems == []
    assert report.verdict.counts["POSTs answered 201/202"] > 0
    assert len(report.rounds) == 3
