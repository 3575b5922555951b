"""The poverty tables as OData (`/v1/projects/1/reports.svc`) over real HTTP against `rasoat
serve`, read as Excel and Power BI read them: HTTP Basic, the service document, `$metadata`,
then pages through `@odata.nextLink`. Each set's rows are the table the JSON API and the page's
CSV give for the same area and year; an officer sees only their own area; reading a list is
audited; refusals are Central's problem JSON."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from xml.etree.ElementTree import fromstring

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent
from tests.integration import test_web_access
from tests.integration.test_central_api import basic
from tests.integration.test_web_access import signed_in
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, HIEU, TUYEN, VIEWER, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

SERVICE = "/v1/projects/1/reports.svc"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
# Each set, the JSON API's table of the same area and year, and the filter choosing it.
AND_2026 = " and period eq 2026"
SAME_TABLES = [
    ("TongHop", "/v1/reports/summary?area=468&period=2026", "area eq '468' and period eq 2026"),
    ("TongHop", "/v1/reports/summary?area=19603&period=2025", "period eq 2025 and area eq '19603'"),
    ("TheoDoi", "/v1/reports/followup?area=468", "area eq '468'"),
    ("ChiTieu", "/v1/reports/commitments?area=468&period=2026", "(area eq '468')" + AND_2026),
    ("ThieuHut", "/v1/lists/deficiencies?area=19603&period=2026", "area eq '19603'" + AND_2026),
    ("CanTham", "/v1/lists/due-visits?area=468", "area eq '468'"),
    ("NguyCo", "/v1/lists/relapse-risk?area=468", "area eq '468'"),
    ("ThoatNgheo", "/v1/lists/exited?area=19612&period=2026", "area eq '19612' and period eq 2026"),
]  # fmt: skip


def odata(base: str, path: str, who: str = ADMIN, **params: str) -> requests.Response:
    return requests.get(base + path, params=params, headers=basic(who), timeout=60)


def every_row(base: str, entity_set: str, who: str = ADMIN, **params: str) -> list[dict[str, Any]]:
    """Every row of a set, page after page through `@odata.nextLink`, as a connector reads."""
    response = odata(base, f"{SERVICE}/{entity_set}", who, **params)
    assert response.status_code == 200, response.text
    page = response.json()
    rows = list(page["value"])
    while "@odata.nextLink" in page:
        page = requests.get(page["@odata.nextLink"], headers=basic(who), timeout=60).json()
        rows += page["value"]
    return rows


def test_excel_s_request_pattern_reads_the_service_its_metadata_and_every_set(
    world: World,
) -> None:
    service = odata(world.base, SERVICE)
    assert service.status_code == 200 and service.headers["OData-Version"] == "4.0"
    body = service.json()
    assert body["@odata.context"] == f"{world.base}{SERVICE}/$metadata"
    names = [entry["name"] for entry in body["value"]]
    assert names == [
        "TongHop", "TheoDoi", "ChiTieu", "ThieuHut", "CanTham", "NguyCo", "ThoatNgheo", "TenCot",
    ]  # fmt: skip
    assert all(entry["kind"] == "EntitySet" and entry["url"] for entry in body["value"])

    metadata = odata(world.base, f"{SERVICE}/$metadata")
    assert metadata.status_code == 200 and metadata.headers["Content-Type"].startswith(
        "application/xml"
    )
    document = fromstring(metadata.content)
    sets = [s.get("Name") for s in document.iter(f"{EDM}EntitySet")]
    assert sets == names
    types = {t.get("Name"): t for t in document.iter(f"{EDM}EntityType")}
    summary = {p.get("Name"): p for p in types["TongHop"].iter(f"{EDM}Property")}
    assert summary["residents"].get("Type") == "Edm.Int64"
    assert summary["period"].get("Type") == "Edm.Int64"
    assert summary["label"].get("Type") == "Edm.String"
    rates = [p for p in summary.values() if p.get("Type") == "Edm.Decimal"]
    assert rates, "the summary's rates are typed as decimals"
    caption = summary["residents"].find(f"{EDM}Annotation[@Term='Core.Description']")
    assert caption is not None and caption.get("String") == "Tổng số hộ dân cư"
    for entity_type in types.values():  # names a connector accepts as column names
        for prop in entity_type.iter(f"{EDM}Property"):
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", prop.get("Name") or "")
    for name in sets:
        page = odata(world.base, f"{SERVICE}/{name}", **{"$top": "2"})
        assert page.status_code == 200, (name, page.text)
        assert page.json()["@odata.context"] == f"{world.base}{SERVICE}/$metadata#{name}"


def _cells_of(table: dict[str, Any]) -> list[dict[str, Any]]:
    keys = [c["key"] for c in table["columns"]]
    return [
        {"__kind": row["kind"], **{k: row["cells"].get(k) for k in keys}} for row in table["rows"]
    ]


@pytest.mark.parametrize(("entity_set", "api_path", "chosen"), SAME_TABLES)
def test_a_set_s_rows_are_the_api_s_table_of_the_same_area_and_year(
    world: World, entity_set: str, api_path: str, chosen: str
) -> None:
    table = requests.get(world.base + api_path, headers=basic(ADMIN), timeout=60).json()
    expected = _cells_of(table)
    rows = every_row(world.base, entity_set, **{"$filter": chosen})
    keys = [c["key"] for c in table["columns"]]
    got = [{"__kind": r["__kind"], **{k: r[k] for k in keys}} for r in rows]
    assert got == expected
    # The world has a list of every kind but the relapse-risk one (no visit found a risk).
    assert rows or entity_set == "NguyCo"
    assert [r["__row"] for r in rows] == list(range(1, len(rows) + 1))
    area = re.search(r"area=(\d+)", api_path)
    assert area and {r["area"] for r in rows} <= {area.group(1)}
    if "period=" in api_path:
        assert {r["period"] for r in rows} == {int(api_path.rsplit("=", 1)[1])}


def test_the_summary_s_rows_are_the_page_s_csv_table(world: World) -> None:
    page = signed_in(world.base, DISTRICT).get("/reports/summary?area=468&period=2026&format=csv")
    lines = list(csv.reader(io.StringIO(page.content.decode("utf-8-sig"))))
    rows = every_row(world.base, "TongHop", DISTRICT, **{"$filter": "period eq 2026"})
    labels = [r["label"] for r in rows]
    # The CSV's body: one line per row after its title lines, the unit first.
    first = next(i for i, line in enumerate(lines) if line and line[0] == labels[0])
    assert [line[0] for line in lines[first : first + len(rows)]] == labels
    residents = [r["residents"] for r in rows if r["__kind"] != "block"]
    shown = [line[1] for line in lines[first : first + len(rows)] if line[1] != ""]
    assert shown == [str(n) if n is not None else "—" for n in residents]


def test_an_officer_reads_only_their_own_area_and_opens_on_it(world: World) -> None:
    own = every_row(world.base, "ThieuHut", TUYEN, **{"$filter": "period eq 2026"})
    assert own and {r["area"] for r in own} == {"19603"}
    assert {r["commune"] for r in own} == {"Xã Cam Tuyền"}
    for outside in ("area eq '19612'", "area eq '468'"):
        refused = odata(world.base, f"{SERVICE}/TongHop", TUYEN, **{"$filter": outside})
        assert refused.status_code == 403 and refused.json()["code"] == 403.1
    sibling = every_row(world.base, "ThoatNgheo", HIEU, **{"$filter": "period eq 2026"})
    assert sibling and {r["commune"] for r in sibling} == {"Xã Cam Hiếu"}
    district = every_row(world.base, "TongHop", DISTRICT)  # no filter: their area, latest year
    assert {r["area"] for r in district} == {"468"} and {r["period"] for r in district} == {2026}


def test_a_viewer_reads_the_tables_but_no_list_of_households(world: World) -> None:
    names = [e["name"] for e in odata(world.base, SERVICE, VIEWER).json()["value"]]
    assert names == ["TongHop", "TheoDoi", "ChiTieu", "TenCot"]
    assert every_row(world.base, "TongHop", VIEWER)
    refused = odata(world.base, f"{SERVICE}/ThieuHut", VIEWER)
    assert refused.status_code == 404 and refused.json()["code"] == 404.1
    unsigned = requests.get(f"{world.base}{SERVICE}/TongHop", timeout=30)
    assert unsigned.status_code == 401 and unsigned.headers["WWW-Authenticate"].startswith("Basic")


def test_pages_follow_next_links_and_count_every_row(world: World) -> None:
    chosen = {"$filter": "area eq '468' and period eq 2026"}
    whole = every_row(world.base, "TongHop", **chosen)
    first = odata(world.base, f"{SERVICE}/TongHop", **chosen, **{"$top": "2", "$count": "true"})
    page = first.json()
    assert page["@odata.count"] == len(whole) and len(page["value"]) == 2
    assert "%24filter=" in page["@odata.nextLink"]  # the next page keeps the table chosen
    paged = every_row(world.base, "TongHop", **chosen, **{"$top": "2"})
    assert paged == whole  # $top is the size of a page, as on Central's feeds
    one_by_one = []
    for skip in range(len(whole)):
        one_by_one += odata(
            world.base, f"{SERVICE}/TongHop", **chosen, **{"$top": "1", "$skip": str(skip)}
        ).json()["value"]
    assert one_by_one == whole
    beyond = odata(world.base, f"{SERVICE}/TongHop", **chosen, **{"$skip": "999"}).json()
    assert beyond["value"] == [] and "@odata.nextLink" not in beyond
    counted = odata(world.base, f"{SERVICE}/TongHop", **chosen, **{"$top": "0", "$count": "true"})
    assert (counted.json()["value"], counted.json()["@odata.count"]) == ([], len(whole))


def test_the_column_names_set_gives_each_column_s_heading_in_vietnamese(world: World) -> None:
    names = every_row(world.base, "TenCot")
    by_key = {r["__id"]: r for r in names}
    assert by_key["TongHop/residents"]["heading_vi"] == "Tổng số hộ dân cư"
    assert by_key["ThieuHut/head"]["heading_vi"] == "Chủ hộ"
    assert by_key["ThieuHut/head"]["type"] == "Edm.String"
    assert by_key["ChiTieu/achieved"]["type"] == "Edm.Decimal"
    assert by_key["TheoDoi/area"]["heading_en"] == "The table's area code"


def test_reading_a_list_through_the_feed_is_written_to_the_audit_log(
    world: World, session: Session
) -> None:
    every_row(world.base, "NguyCo", TUYEN)
    every_row(world.base, "TongHop", TUYEN)  # a table of counts: no personal data
    session.rollback()
    events = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "download").order_by(AuditEvent.id)
    )
    assert list(events) == ["list NguyCo (odata)"]


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("TongHop", {"$filter": "area eq 468"}, 400, 400.18),
        ("TongHop", {"$filter": "period eq 20260"}, 400, 400.18),
        ("TongHop", {"$filter": "area eq '468' or period eq 2026"}, 501, 501.4),
        ("TongHop", {"$filter": "label eq 'x'"}, 501, 501.5),
        ("TheoDoi", {"$filter": "period eq 2026"}, 400, 400.18),
        ("TongHop", {"$orderby": "label"}, 501, 501.1),
        ("TongHop", {"$top": "-1"}, 400, 400.8),
        ("TongHop", {"$filter": "area eq 'khong-co'"}, 404, 404.1),
        ("KhongCo", {}, 404, 404.1),
    ],
)
def test_a_bad_request_is_refused_in_central_s_words_naming_what_is_wrong(
    world: World, path: str, params: dict[str, str], status: int, code: float
) -> None:
    response = odata(world.base, f"{SERVICE}/{path}", **params)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_a_project_there_is_not_has_no_reports_service(world: World) -> None:
    response = odata(world.base, "/v1/projects/9/reports.svc")
    assert response.status_code == 404 and response.json()["code"] == 404.1
