"""Ids in Central's paths as clients encode them (odk-central-api.md §7): pyodk and ruODK send
an instanceID's "uuid:" as `uuid%3A`, and the record answers the same as under its plain name."""

from __future__ import annotations

from urllib.parse import quote

import requests

from tests.integration import test_web_access
from tests.integration.test_central_api import basic
from tests.support import access_world
from tests.support.access_world import ADMIN, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

SUBMISSIONS = "/v1/projects/1/forms/household_survey/submissions"


def test_an_instance_id_with_its_colon_encoded_names_the_same_record(world: World) -> None:
    encoded = quote(world.record_19603, safe="")
    assert encoded.startswith("uuid%3A")
    for suffix in ("", ".xml", "/attachments", "/comments"):
        plain = requests.get(
            f"{world.base}{SUBMISSIONS}/{world.record_19603}{suffix}",
            headers=basic(ADMIN),
            timeout=30,
        )
        sent = requests.get(
            f"{world.base}{SUBMISSIONS}/{encoded}{suffix}", headers=basic(ADMIN), timeout=30
        )
        assert (sent.status_code, sent.content) == (200, plain.content), suffix
