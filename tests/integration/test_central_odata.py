"""ODK Central's OData feed of a form over real HTTP against `rasoat serve`: read by pyodk's
`get_table` and, as Excel and Power BI read it, by plain requests over HTTP Basic (service
document, `$metadata`, then pages through `@odata.nextLink`, whose `$skiptoken` cursor keeps
pages whole while records arrive); `$top`, `$skip`, `$count`,
`$filter` on `__system/submissionDate` and `updatedAt`; refusals in Central's words; each
officer's area as on the pages (odk-central-api.md §4)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import fromstring

import pytest
import requests
from pyodk.errors import PyODKError

from server.formats.odata import skiptoken
from server.storage.models import Submission
from tests.integration import test_web_access
from tests.integration.test_central_api import (
    FORM,
    SUBMISSIONS,
    basic,
    central_code,
    pyodk_client,
)
from tests.support import access_world
from tests.support.access_world import ADMIN, HIEU, TUYEN, World
from tests.support.surveys import POOR, survey

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

SERVICE = f"projects/1/forms/{FORM}.svc"
MEMBERS = "Submissions.members.member"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def test_pyodk_reads_the_submissions_table_typed_from_the_form(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        table = client.submissions.get_table(form_id=FORM)
        assert table["@odata.context"].endswith(f"/{FORM}.svc/$metadata#Submissions")
        rows = {row["__id"]: row for row in table["value"]}
        assert {world.record_19603, world.record_19612} <= set(rows)
        row = rows[world.record_19603]
        assert row["meta"]["instanceID"] == world.record_19603
        assert isinstance(row["__system"]["submitterId"], str)
        assert row["__system"]["submissionDate"].endswith("Z")
        assert row["__system"]["attachmentsPresent"] == 0  # the photo is no field of the form
        assert row["members"]["member@odata.navigationLink"].startswith("Submissions('uuid%3A")
        assert row["area"]["review_year"] == 2026  # an int field, as a number
        point = row["finish"]["location"]
        assert point is None or point["type"] == "Point"

        first = client.submissions.get_table(form_id=FORM, top=1, count=True)
        assert len(first["value"]) == 1 and first["@odata.count"] == len(rows)
        following = client.get(first["@odata.nextLink"]).json()
        assert following["value"][0]["__id"] != first["value"][0]["__id"]
        last = client.submissions.get_table(form_id=FORM, skip=len(rows) - 1)
        assert len(last["value"]) == 1 and "@odata.nextLink" not in last
        empty = client.submissions.get_table(form_id=FORM, top=0, count=True)
        assert (empty["value"], empty["@odata.count"]) == ([], len(rows))


def test_a_filter_on_the_submission_date_and_updated_at_pulls_what_changed(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        every = client.submissions.get_table(form_id=FORM, count=True)["@odata.count"]
        since = "__system/submissionDate gt 2000-01-01T00:00:00Z and __system/reviewState eq null"
        assert (
            client.submissions.get_table(form_id=FORM, filter=since, count=True)["@odata.count"]
            == every
        )
        before = "__system/submissionDate lt 2000-01-01"
        assert client.submissions.get_table(form_id=FORM, filter=before)["value"] == []
        this_year = f"year(__system/submissionDate) eq {datetime.now(UTC).year}"
        this_month = f"month($root/Submissions/__system/submissionDate) ge 1 and {this_year}"
        assert (
            client.submissions.get_table(form_id=FORM, filter=this_month, count=True)[
                "@odata.count"
            ]
            == every
        )
        long_ago = "year(__system/submissionDate) eq 1999 or day(__system/updatedAt) gt 0"
        assert client.submissions.get_table(form_id=FORM, filter=long_ago)["value"] == []

        assert (
            client.submissions.get_table(form_id=FORM, filter="__system/updatedAt ne null")["value"]
            == []
        )
        time.sleep(0.01)
        moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        time.sleep(0.01)
        client.submissions.review(world.record_19612, "approved", form_id=FORM)
        changed = client.submissions.get_table(
            form_id=FORM, filter=f"__system/updatedAt gt {moment}"
        )["value"]
        assert [r["__id"] for r in changed] == [world.record_19612]
        assert changed[0]["__system"]["reviewState"] == "approved"
        approved = client.submissions.get_table(
            form_id=FORM, filter="__system/reviewState eq 'approved'"
        )["value"]
        assert [r["__id"] for r in approved] == [world.record_19612]


def test_select_keeps_only_the_fields_named_and_the_groups_holding_them(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        chosen = "__id,area/review_year,__system/submitterId"
        rows = client.submissions.get_table(form_id=FORM, select=chosen)["value"]
        assert rows and all(set(row) == {"__id", "area", "__system"} for row in rows)
        assert all(set(row["area"]) == {"review_year"} for row in rows)
        assert all(set(row["__system"]) == {"submitterId"} for row in rows)
        groups = client.submissions.get_table(form_id=FORM, select="meta")["value"]
        assert {row["meta"]["instanceID"] for row in groups} >= {world.record_19603}
        assert all(set(row) == {"meta"} for row in groups)


def refusal(client: Any, **options: Any) -> float:
    with pytest.raises(PyODKError) as refused:
        client.submissions.get_table(form_id=FORM, **options)
    return central_code(refused.value)


def test_what_the_feed_cannot_read_is_refused_in_central_s_words(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        assert refusal(client, filter="((") == 400.18
        assert refusal(client, filter="__system/submissionDate gt 2026-13-45") == 400.18
        assert refusal(client, filter="household_code eq 'x'") == 501.5
        assert refusal(client, filter="tolower(__id) eq 'x'") == 501.4  # OData's, not answered
        assert refusal(client, filter="khong_co(__id) eq 1") == 400.18  # no function at all
        assert refusal(client, filter="year(__id) eq 2026") == 400.18  # no date
        assert refusal(client, filter="month(__system/updatedAt) eq 'x'") == 400.18
        assert refusal(client, expand="members") == 501.6  # only * is answered, as Central
        assert refusal(client, expand="-1") == 400.8  # no expansion at all
        assert refusal(client, expand="*", select="__id") == 501.11
        assert refusal(client, expand="*", table_name=MEMBERS) == 501.1
        assert refusal(client, select="khong_co") == 400.23
        assert refusal(client, select="members/member/m_birth_year") == 400.23  # in a repeat
        assert refusal(client, select="__id", table_name=MEMBERS) == 501.1
        assert refusal(client, top=-1) == 400.8
        assert refusal(client, top=10**12) == 400.8
        assert refusal(client, table_name="Submissions.khong_co") == 404.1


def test_a_repeat_is_a_table_of_its_own_with_stable_ids_and_its_parent_s_key(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        rows = client.submissions.get_table(form_id=FORM, table_name=MEMBERS)["value"]
        again = client.submissions.get_table(form_id=FORM, table_name=MEMBERS)["value"]
        assert rows and [r["__id"] for r in rows] == [r["__id"] for r in again]
        assert all(re.fullmatch(r"[0-9a-f]{40}", r["__id"]) for r in rows)
        of_19603 = [r for r in rows if r["__Submissions-id"] == world.record_19603]
        assert len(of_19603) == 4  # the survey's four members
        page = client.submissions.get_table(form_id=FORM, table_name=MEMBERS, top=2, count=True)
        assert [r["__id"] for r in page["value"]] == [r["__id"] for r in rows[:2]]
        assert page["@odata.count"] == len(rows) and "@odata.nextLink" in page


def test_excel_s_request_pattern_over_http_basic_reaches_every_row(world: World) -> None:
    """Service document, then $metadata, then the pages through nextLink."""
    auth = basic(ADMIN)
    service = requests.get(f"{world.base}/v1/{SERVICE}", headers=auth, timeout=30)
    assert service.headers["OData-Version"] == "4.0"
    assert [t["name"] for t in service.json()["value"]] == ["Submissions", MEMBERS]
    metadata = requests.get(service.json()["@odata.context"], headers=auth, timeout=30)
    edmx = fromstring(metadata.content)
    entity = next(e for e in edmx.iter(f"{EDM}EntityType") if e.get("Name") == "Submissions")
    assert entity.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "__id"  # type: ignore[union-attr]  # the key is there
    assert any(n.get("Name") == "member" for n in edmx.iter(f"{EDM}NavigationProperty"))
    sets = {s.get("Name") for s in edmx.iter(f"{EDM}EntitySet")}
    assert sets == {"Submissions", MEMBERS}

    url: str | None = f"{world.base}/v1/{SERVICE}/Submissions?%24top=2&%24count=true"
    seen: list[str] = []
    while url:
        page = requests.get(url, headers=auth, timeout=30).json()
        seen += [row["__id"] for row in page["value"]]
        url = page.get("@odata.nextLink")
    assert len(seen) == len(set(seen)) == page["@odata.count"]


def test_an_officer_s_feed_holds_only_the_records_of_their_area(world: World) -> None:
    def ids(email: str) -> set[str]:
        url = f"{world.base}/v1/{SERVICE}/Submissions"
        response = requests.get(url, headers=basic(email), timeout=30)
        assert response.status_code == 200, response.text
        return {row["__id"] for row in response.json()["value"]}

    hieu, tuyen = ids(HIEU), ids(TUYEN)
    assert world.record_19612 in hieu and world.record_19603 not in hieu
    assert world.record_19603 in tuyen and world.record_19612 not in tuyen
    members = requests.get(f"{world.base}/v1/{SERVICE}/{MEMBERS}", headers=basic(HIEU), timeout=30)
    assert {r["__Submissions-id"] for r in members.json()["value"]} == hieu


def test_pages_read_through_the_cursor_neither_skip_nor_repeat_records_that_arrive_meanwhile(
    world: World,
) -> None:
    auth = basic(TUYEN)
    url: str | None = f"{world.base}/v1/{SERVICE}/Submissions?%24top=1"
    seen: list[str] = []
    before = requests.get(f"{world.base}/v1/{SERVICE}/Submissions", headers=auth, timeout=30)
    expected = [row["__id"] for row in before.json()["value"]]
    assert len(expected) >= 2, "the officer's feed has records to page through"
    arrived: list[str] = []
    while url:
        page = requests.get(url, headers=auth, timeout=30)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [row["__id"] for row in body["value"]]
        url = body.get("@odata.nextLink")
        if url and not arrived:
            assert "%24skiptoken=" in url and "%24skip=" not in url
            # A record arrives between two pages (newest first: it belongs before page one).
            xml, instance_id = survey(POOR, household_code=f"1960301-{len(seen) + 190:03d}")
            created = requests.post(
                f"{world.base}/v1/{SUBMISSIONS}",
                data=xml,
                headers={**auth, "Content-Type": "application/xml"},
                timeout=30,
            )
            assert created.status_code == 200, created.text
            arrived.append(instance_id)
    assert seen == expected, "every record once, in order, none pushed out by the newcomer"
    again = requests.get(f"{world.base}/v1/{SERVICE}/Submissions", headers=auth, timeout=30)
    assert again.json()["value"][0]["__id"] == arrived[0], "the next pull starts with it"


def test_a_cursor_that_is_not_this_feed_s_is_refused_naming_it(world: World) -> None:
    auth = basic(ADMIN)
    url = f"{world.base}/v1/{SERVICE}/Submissions"
    first = requests.get(f"{url}?%24top=1", headers=auth, timeout=30)
    token = first.json()["@odata.nextLink"].split("%24skiptoken=")[1].split("&")[0]
    other_form = skiptoken("followup_visit", 5)
    for bad in ("not-a-token", other_form, "e30"):  # garbage, another form's, an empty object
        refused = requests.get(f"{url}?%24skiptoken={bad}", headers=auth, timeout=30)
        assert refused.status_code == 400, refused.text
        assert refused.json()["code"] == 400.8 and "$skiptoken" in refused.json()["message"]
    ours = requests.get(f"{url}?%24skiptoken={token}", headers=auth, timeout=30)
    assert ours.status_code == 200


def read_pages(url: str, auth: dict[str, str], arrive: Any = None) -> list[dict[str, Any]]:
    """Every row through the nextLinks from `url`; `arrive()` is called once, between the
    first two pages."""
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = requests.get(next_url, headers=auth, timeout=30)
        assert page.status_code == 200, page.text
        rows += page.json()["value"]
        next_url = page.json().get("@odata.nextLink")
        if next_url and arrive is not None:
            assert "%24skiptoken=" in next_url and "%24skip=" not in next_url
            arrive()
            arrive = None
    return rows


def arrives(world: World, email: str, code: str) -> str:
    """A new household survey sent by `email` now; its instanceID."""
    xml, instance_id = survey(POOR, household_code=code)
    created = requests.post(
        f"{world.base}/v1/{SUBMISSIONS}",
        data=xml,
        headers={**basic(email), "Content-Type": "application/xml"},
        timeout=30,
    )
    assert created.status_code == 200, created.text
    return instance_id


def test_orderby_sorts_the_records_and_its_cursor_keeps_pages_whole_while_records_arrive(
    world: World,
) -> None:
    auth = basic(TUYEN)
    url = f"{world.base}/v1/{SERVICE}/Submissions"
    newest_first = [r["__id"] for r in requests.get(url, headers=auth, timeout=30).json()["value"]]
    oldest = f"{url}?%24orderby=__system/submissionDate%20asc&%24top=1"
    arrived: list[str] = []
    seen = read_pages(oldest, auth, lambda: arrived.append(arrives(world, TUYEN, "1960301-291")))
    assert [r["__id"] for r in seen] == [*reversed(newest_first), *arrived], (
        "oldest first, each once; the newcomer sorts last, so the last page brings it"
    )
    dates = [r["__system"]["submissionDate"] for r in seen]
    assert dates == sorted(dates)

    by_id = requests.get(f"{url}?%24orderby=__id%20desc", headers=auth, timeout=30).json()
    ids = [r["__id"] for r in by_id["value"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(seen)
    paged = read_pages(f"{url}?%24orderby=__id%20desc&%24top=2", auth)
    assert [r["__id"] for r in paged] == ids

    # Never updated records (updatedAt null) come last when descending, as Central sorts.
    requests.patch(
        f"{world.base}/v1/{SUBMISSIONS}/{quote(ids[-1], safe='')}",
        json={"reviewState": "approved"},
        headers=auth,
        timeout=30,
    ).raise_for_status()
    changed = requests.get(
        f"{url}?%24orderby=__system/updatedAt%20desc,__id%20asc&%24top=1", headers=auth, timeout=30
    ).json()
    assert changed["value"][0]["__id"] == ids[-1]
    rest = read_pages(changed["@odata.nextLink"], auth)
    assert [r["__id"] for r in rest] == sorted(set(ids) - {ids[-1]})


def test_a_cursor_read_in_one_order_is_refused_in_another_naming_both(world: World) -> None:
    auth = basic(ADMIN)
    url = f"{world.base}/v1/{SERVICE}/Submissions"
    newest = requests.get(f"{url}?%24top=1", headers=auth, timeout=30).json()["@odata.nextLink"]
    token = newest.split("%24skiptoken=")[1].split("&")[0]
    refused = requests.get(f"{url}?%24orderby=__id&%24skiptoken={token}", headers=auth, timeout=30)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["code"] == 400.8 and "$skiptoken" in body["message"]
    assert "$orderby=__id asc" in body["message"]
    of_members = requests.get(
        f"{world.base}/v1/{SERVICE}/{MEMBERS}?%24skiptoken={token}", headers=auth, timeout=30
    )
    assert of_members.status_code == 400 and "Submissions" in of_members.json()["message"]
    named = {  # the option given → the word the refusal names, and Central's code
        "__system/reviewState": ("__system/reviewState", 501.5),
        "area/review_year": ("area/review_year", 501.5),  # a field: not sortable yet
        "__id sideways": ("sideways", 400.8),
        "khong_co desc": ("khong_co", 400.8),  # no field of the table at all
        "__id,__id": ("__id twice", 400.8),
        "__id,": ("$orderby", 400.8),
    }
    for wrong, (word, code) in named.items():
        answer = requests.get(f"{url}?%24orderby={quote(wrong)}", headers=auth, timeout=30)
        assert answer.status_code == int(code), answer.text
        assert answer.json()["code"] == code and word in answer.json()["message"]


def test_expand_inlines_every_repeat_with_the_ids_of_its_own_table(
    world: World, tmp_path: Path
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        rows = client.submissions.get_table(form_id=FORM, expand="*")["value"]
        members = client.submissions.get_table(form_id=FORM, table_name=MEMBERS)["value"]
    row = next(r for r in rows if r["__id"] == world.record_19603)
    inline = row["members"]["member"]
    assert row["members"]["member@odata.navigationLink"].startswith("Submissions('uuid%3A")
    own = [r for r in members if r["__Submissions-id"] == world.record_19603]
    assert [m["__id"] for m in inline] == [m["__id"] for m in own]
    assert all(
        {k: v for k, v in m.items() if k != "__Submissions-id"} == i
        for m, i in zip(own, inline, strict=True)
    )


def test_a_repeat_table_pages_by_a_cursor_that_neither_skips_nor_repeats_rows_meanwhile(
    world: World,
) -> None:
    auth = basic(TUYEN)
    url = f"{world.base}/v1/{SERVICE}/{MEMBERS}"
    expected = [r["__id"] for r in requests.get(url, headers=auth, timeout=30).json()["value"]]
    assert len(expected) > 3
    arrived: list[str] = []
    seen = read_pages(
        f"{url}?%24top=3", auth, lambda: arrived.append(arrives(world, TUYEN, "1960301-292"))
    )
    assert [r["__id"] for r in seen] == expected, "every row once, in order; the newcomer's first"
    again = requests.get(url, headers=auth, timeout=30).json()["value"]
    assert again[0]["__Submissions-id"] == arrived[0]
    skipped = requests.get(f"{url}?%24top=2&%24skip=1&%24count=true", headers=auth, timeout=30)
    body = skipped.json()
    assert [r["__id"] for r in body["value"]] == [r["__id"] for r in again[1:3]]
    assert body["@odata.count"] == len(again)
    assert [r["__id"] for r in read_pages(body["@odata.nextLink"], auth)] == [
        r["__id"] for r in again[3:]
    ]


def test_an_incremental_pull_gets_what_was_edited_or_reviewed_since_its_last_pull(
    world: World, tmp_path: Path
) -> None:
    """As a nightly refresh pulls: `updatedAt gt <the newest updatedAt it holds>`, oldest
    change first, through the cursor; a comment alone changes nothing."""
    arrived = arrives(world, TUYEN, "1960301-293")
    url = f"{world.base}/v1/{SERVICE}/Submissions"
    auth = basic(TUYEN)

    def pull(since: str) -> list[dict[str, Any]]:
        since_filter = quote(f"__system/updatedAt gt {since}")
        return read_pages(
            f"{url}?%24filter={since_filter}&%24orderby=__system/updatedAt%20asc&%24top=1", auth
        )

    time.sleep(0.01)
    mark = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert pull(mark) == []
    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        client.submissions.review(world.record_19603, "hasIssues", form_id=FORM)
        client.submissions.add_comment(arrived, "chỉ một ghi chú", form_id=FORM)
        edited, _ = survey(POOR, household_code="1960301-293", deprecated_id=arrived)
        client.submissions.edit(arrived, edited.decode(), form_id=FORM)
    changed = pull(mark)
    assert [r["__id"] for r in changed] == [world.record_19603, arrived]
    assert all(r["__system"]["updatedAt"] > mark for r in changed)
    assert changed[1]["__system"]["edits"] == 1
    assert pull(changed[-1]["__system"]["updatedAt"]) == [], "nothing changed since"


def test_the_records_changed_since_a_moment_are_one_range_of_an_index_per_form() -> None:
    """The migration test holds the database to the models; the models hold this index."""
    indexes = {tuple(c.name for c in index.columns) for index in Submission.__table__.indexes}
    assert ("form_id", "changed_at") in indexes
