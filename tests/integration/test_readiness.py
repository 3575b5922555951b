"""What a load balancer asks a node (issue 19): `/v1/health`, live, touches nothing but the
process; `/v1/ready` checks the database and the file store and names what is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import server_env
from tests.integration.test_database_outage import database_away
from tests.support.database import scratch_database
from tests.support.live_server import LiveServer, start_server

pytestmark = pytest.mark.e2e


def test_a_node_with_its_database_and_disk_store_is_live_and_ready(
    live_server: LiveServer,
) -> None:
    live = requests.get(f"{live_server.base_url}/v1/health", timeout=30)
    ready = requests.get(f"{live_server.base_url}/v1/ready", timeout=30)

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "database": "ok", "file_store": "ok"},
    )


@pytest.fixture
def own_server(db_kind: str, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    if db_kind != "postgresql":
        pytest.skip(
            "a database that refuses connections is made on PostgreSQL; SQLite's file is read "
            "even when it refuses writes, so the node is still ready to read"
        )
    with scratch_database(db_kind, tmp_path) as url:
        server = start_server(server_env(url, tmp_path / "data", tmp_path), tmp_path)
        try:
            yield server, url
        finally:
            server.stop()


def test_a_node_whose_database_is_away_is_live_but_not_ready_and_says_why(
    db_kind: str, own_server: tuple[LiveServer, str]
) -> None:
    server, url = own_server

    with database_away(db_kind, url):
        live = requests.get(f"{server.base_url}/v1/health", timeout=30)
        ready = requests.get(f"{server.base_url}/v1/ready", timeout=30)
    back = requests.get(f"{server.base_url}/v1/ready", timeout=30)

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        503,
        {
            "status": "unavailable",
            "down": ["database"],
            "database": "unreachable",
            "file_store": "ok",
        },
    )
    assert back.status_code == 200
