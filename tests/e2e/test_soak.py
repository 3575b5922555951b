"""The soak test (bench/soak.py) in a very short form: 20 seconds of phones polling the form
list and sending records with photos while staff download tables through the API, with no
failed request. The long form (30 minutes, 200 phones) is `.venv/bin/python bench/soak.py`."""

from __future__ import annotations

import pytest

from bench.soak import KINDS, OK, parse, report, run

pytestmark = pytest.mark.e2e


def test_twenty_seconds_of_mixed_load_fail_no_request(db_kind: str) -> None:
    args = parse(
        [
            *("--database", db_kind, "--minutes", "0.33", "--no-demo", "--phones", "20"),
            *("--poll-seconds", "3", "--submit-seconds", "4", "--staff", "2"),
            *("--download-seconds", "2", "--sample-seconds", "10"),
        ]
    )

    stats, samples, wall = run(args)

    report(args, stats, samples, wall)
    assert stats.errors() == 0, stats.outcomes
    assert all(stats.outcomes[kind][OK[kind]] > 0 for kind in KINDS)
