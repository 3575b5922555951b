"""The household registry as ODK Central's dataset `households`, read over real HTTP against
`rasoat serve` by pyodk 1.3 (`entity_lists.list/get`, `entities.list`, `entities.get_table`)
and by plain requests (one entity, the `households.svc` service document and `$metadata`):
Central's shapes, each officer's own area only, every reading audited, Central's refusals."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import fromstring

import pytest
import requests
from pyodk.errors import PyODKError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent
from tests.integration import test_web_access
from tests.integration.test_central_api import basic, central_code, pyodk_client
from tests.support import access_world
from tests.support.access_world import ADMIN, HIEU, TUYEN, VIEWER, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

DATASET = "projects/1/datasets/households"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def test_pyodk_lists_the_dataset_and_its_entities_as_central_serves_them(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        listed = client.entity_lists.list()
        assert [d.name for d in listed] == ["households"]
        assert listed[0].projectId == 1 and listed[0].approvalRequired is False
        detail = client.entity_lists.get(entity_list_name="households")
        assert detail.properties is not None
        names = [p.name for p in detail.properties]
        assert {"code", "head_name", "village", "commune"} <= set(names)

        entities = client.entities.list(entity_list_name="households")
        labels = {e.currentVersion.label for e in entities}
        assert "Lê Thị Hiếu (1961201-001)" in labels
        assert all(e.currentVersion.data is None for e in entities)  # Central omits it here
        assert all(e.createdAt.tzinfo is not None for e in entities)

        table = client.entities.get_table(entity_list_name="households", count=True)
        assert table["@odata.context"].endswith("/households.svc/$metadata#Entities")
        rows = {row["__id"]: row for row in table["value"]}
        assert set(rows) == {e.uuid for e in entities}
        assert table["@odata.count"] == len(rows)
        hieu = next(r for r in rows.values() if r["code"] == "1961201-001")
        assert hieu["label"] == "Lê Thị Hiếu (1961201-001)"
        assert hieu["commune"] == "19612" and hieu["village"] == "1961201"
        assert isinstance(hieu["__system"]["creatorId"], str)
        assert isinstance(hieu["__system"]["version"], int)
        assert hieu["__system"]["createdAt"].endswith("Z")

        one = client.get(f"{DATASET}/entities/{hieu['__id']}").json()
        assert one["uuid"] == hieu["__id"]
        assert one["currentVersion"]["data"]["head_name"] == "Lê Thị Hiếu"


def test_entities_page_through_next_links_and_filter_on_system_fields(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        every = client.entities.get_table(entity_list_name="households")["value"]
        assert len(every) >= 3
        first = client.entities.get_table(entity_list_name="households", top=2, count=True)
        assert len(first["value"]) == 2 and first["@odata.count"] == len(every)
        paged = list(first["value"])
        page = first
        while "@odata.nextLink" in page:
            page = client.get(page["@odata.nextLink"]).json()
            paged += page["value"]
        assert [r["__id"] for r in paged] == [r["__id"] for r in every]

        one = every[0]["__id"]
        by_id = client.entities.get_table(entity_list_name="households", filter=f"__id eq '{one}'")
        assert [r["__id"] for r in by_id["value"]] == [one]
        since = "__system/createdAt gt 2000-01-01T00:00:00Z and __system/createdAt lt now()"
        assert len(
            client.entities.get_table(entity_list_name="households", filter=since)["value"]
        ) == len(every)
        future = "__system/createdAt gt 2999-01-01"
        assert (
            client.entities.get_table(entity_list_name="households", filter=future)["value"] == []
        )
        with pytest.raises(PyODKError) as refused:
            client.entities.get_table(entity_list_name="households", filter="code eq 'x'")
        assert central_code(refused.value) == 501.5
        with pytest.raises(PyODKError) as malformed:
            client.entities.get_table(
                entity_list_name="households", filter="__system/createdAt gt 2026-13-45"
            )
        assert central_code(malformed.value) == 400.18


def test_the_odata_service_document_and_metadata_name_the_entities_set(world: World) -> None:
    service = requests.get(f"{world.base}/v1/{DATASET}.svc", headers=basic(ADMIN), timeout=30)
    assert service.status_code == 200 and service.headers["OData-Version"] == "4.0"
    assert service.json()["value"] == [{"name": "Entities", "kind": "EntitySet", "url": "Entities"}]
    metadata = requests.get(
        f"{world.base}/v1/{DATASET}.svc/$metadata", headers=basic(ADMIN), timeout=30
    )
    document = fromstring(metadata.content)
    assert [s.get("Name") for s in document.iter(f"{EDM}EntitySet")] == ["Entities"]
    entity = next(document.iter(f"{EDM}EntityType"))
    names = [p.get("Name") for p in entity.iter(f"{EDM}Property")]
    assert names[:3] == ["__id", "label", "__system"] and "head_name" in names


def test_an_officer_reads_only_their_own_area_s_households(world: World, tmp_path: Path) -> None:
    with pyodk_client(world.base, HIEU, tmp_path / "hieu") as hieu:
        theirs = hieu.entities.get_table(entity_list_name="households")["value"]
        assert theirs and {r["commune"] for r in theirs} == {"19612"}
        assert {e.uuid for e in hieu.entities.list(entity_list_name="households")} == {
            r["__id"] for r in theirs
        }
    with pyodk_client(world.base, TUYEN, tmp_path / "tuyen") as tuyen:
        own = tuyen.entities.get_table(entity_list_name="households")["value"]
        assert own and {r["commune"] for r in own} == {"19603"}
        sibling = tuyen.get(f"{DATASET}/entities/{theirs[0]['__id']}")
        assert sibling.status_code == 404  # as absent as a household there is not
    viewer = requests.get(f"{world.base}/v1/{DATASET}/entities", headers=basic(VIEWER), timeout=30)
    assert viewer.status_code == 403


def test_every_reading_of_households_is_written_to_the_audit_log(
    world: World, tmp_path: Path, session: Session
) -> None:
    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        client.entity_lists.list()  # the dataset's name and properties: no one's data
        uuid = client.entities.list(entity_list_name="households")[0].uuid
        client.entities.get_table(entity_list_name="households")
        client.get(f"{DATASET}/entities/{uuid}")
    session.rollback()
    events = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "download").order_by(AuditEvent.id)
    )
    assert list(events) == [
        "dataset households (list)",
        "dataset households (odata)",
        f"dataset households entity {uuid}",
    ]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("projects/1/datasets/trees", 404, 404.1),
        ("projects/1/datasets/households/entities/not-a-uuid", 404, 404.1),
        ("projects/2/datasets/households/entities", 404, 404.1),
        ("projects/9/datasets", 404, 404.1),
        ("projects/1/datasets/households.svc/Others", 404, 404.1),
        ("projects/1/datasets/households.svc/Entities?$orderby=label", 501, 501.1),
        ("projects/1/datasets/households.svc/Entities?$top=-1", 400, 400.8),
    ],
)
def test_a_bad_request_is_refused_in_central_s_words(
    world: World, path: str, status: int, code: float
) -> None:
    response = requests.get(f"{world.base}/v1/{path}", headers=basic(ADMIN), timeout=30)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert (
        requests.get(
            f"{world.base}/v1/projects/2/datasets", headers=basic(ADMIN), timeout=30
        ).json()
        == []
    )
