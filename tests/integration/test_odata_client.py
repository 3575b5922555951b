"""The feed read by an OData v4 client that is not ODK's: python-odata (PyPI), which builds its
entity classes from `$metadata` alone (entity, complex and enum types, keys, navigation
properties) and writes its own `$filter` and `$orderby`, so the EDMX, the JSON rows and the
query options are checked against each other as another v4 client reads them."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from odata import ODataService

from tests.integration import test_web_access
from tests.integration.test_central_api import basic
from tests.integration.test_central_odata import MEMBERS, SERVICE
from tests.support import access_world
from tests.support.access_world import ADMIN, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world


@pytest.fixture
def service(world: World) -> Any:
    # Basic by header: requests' own auth encodes passwords in Latin-1, not Vietnamese ones.
    http = requests.Session()
    http.headers.update(basic(ADMIN))
    return ODataService(
        f"{world.base}/v1/{SERVICE}/", session=http, reflect_entities=True, quiet_progress=True
    )


def test_an_independent_odata_client_reads_the_feed_through_the_model_of_its_metadata(
    service: Any, world: World
) -> None:
    assert set(service.entities) == {"Submissions", MEMBERS}
    submissions = service.entities["Submissions"]
    rows = service.query(submissions).all()
    data = {row.__odata__.data["__id"]: row.__odata__.data for row in rows}
    assert {world.record_19603, world.record_19612} <= set(data)
    assert data[world.record_19603]["area"]["review_year"] == 2026

    by_id = getattr(submissions, "__id")
    one = service.query(submissions).filter(by_id == world.record_19612).all()
    assert [r.__odata__.data["__id"] for r in one] == [world.record_19612]
    ordered = service.query(submissions).order_by(by_id.desc()).all()
    assert [r.__odata__.data["__id"] for r in ordered] == sorted(data, reverse=True)

    members = service.query(service.entities[MEMBERS]).all()
    of_19603 = [
        m.__odata__.data
        for m in members
        if m.__odata__.data["__Submissions-id"] == world.record_19603
    ]
    assert len(of_19603) == 4 and all(len(m["__id"]) == 40 for m in of_19603)
