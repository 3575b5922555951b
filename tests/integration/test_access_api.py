"""Who may call which JSON API route, over real HTTP against `rasoat serve`: each role and area
(commune officers of the sibling communes 19603 and 19612, a district officer and a viewer of
468, an administrator), and signed-out, made-up and phone tokens and a page's session cookie."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration import test_web_access
from tests.integration.test_web_access import DRAFT, PASSWORD, PEOPLE, signed_in
from tests.support import access_world
from tests.support.access_world import (
    ADMIN,
    ALL,
    DISTRICT,
    HIEU,
    RECORD_19603,
    RECORD_19612,
    TUYEN,
    VIEWER,
    World,
)
from tests.support.surveys import POOR, survey
from tests.support.xlsforms import photo_form

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

# ODK Central's REST surface (test_central_api): forms as on the forms pages (an administrator,
# a district officer), records as on the submission pages (within one's area).
FORM = "/v1/projects/1/forms/household_survey"
REPORTS = "/v1/projects/1/reports.svc"
DATASET = "/v1/projects/1/datasets/households"
OF_19603 = f"{FORM}/submissions/{RECORD_19603}"
OF_19612 = f"{FORM}/submissions/{RECORD_19612}"
FORM_READERS = {ADMIN, DISTRICT}
READERS_OF_19603 = {ADMIN, DISTRICT, TUYEN}
# A new record of 19603, sent by each in turn: created by the first, then the same XML again,
# answered as before to those who may see it (19612's officer may not).
NEW_OF_19603 = survey(
    POOR, household_code="1960301-061", instance_id="uuid:6c1f0d2e-4b7a-4e55-9a41-0000000c0061"
)[0]
# An edit of 19603's record: made by the first, the same edit again for the others.
EDIT_OF_19603 = survey(
    POOR,
    household_code="1960301-003",
    instance_id="uuid:6c1f0d2e-4b7a-4e55-9a41-0000000e0003",
    deprecated_id=RECORD_19603,
)[0]

PHONE_KEEPERS = {ADMIN, DISTRICT, TUYEN, HIEU}  # as the phones page: the viewer keeps none
NO_SUCH_APP_USER = dict.fromkeys(PHONE_KEEPERS, 404)

API: list[tuple[str, str, Any, set[str] | dict[str, int]]] = [
    # (method, path, body, who gets 200 (or {person: status}); other people 403)
    ("GET", "/v1/health", None, ALL),
    ("GET", "/v1/ready", None, ALL),
    ("POST", "/v1/sessions", {"email": DISTRICT, "password": PASSWORD}, ALL),  # public
    ("GET", "/v1/users/current", None, ALL),
    ("GET", "/v1/reports/summary?area=468&period=2026", None, {ADMIN, DISTRICT, VIEWER}),
    (
        "GET",
        "/v1/reports/summary?area=19603&period=2026&format=xlsx",
        None,
        {ADMIN, DISTRICT, TUYEN, VIEWER},
    ),
    ("GET", "/v1/reports/followup?area=19612&format=csv", None, {ADMIN, DISTRICT, HIEU, VIEWER}),
    ("GET", "/v1/reports/followup?area=19603", None, {ADMIN, DISTRICT, TUYEN, VIEWER}),
    (
        "GET",
        "/v1/reports/commitments?area=19612&period=2026&format=xlsx",
        None,
        {ADMIN, DISTRICT, HIEU, VIEWER},
    ),
    ("GET", "/v1/lists/deficiencies?area=19603&period=2026", None, {ADMIN, DISTRICT, TUYEN}),
    (
        "GET",
        "/v1/lists/deficiencies?area=19612&period=2026&format=xlsx",
        None,
        {ADMIN, DISTRICT, HIEU},
    ),
    ("GET", "/v1/lists/due-visits?area=468&format=csv", None, {ADMIN, DISTRICT}),
    ("GET", "/v1/lists/due-visits?area=19612", None, {ADMIN, DISTRICT, HIEU}),
    ("GET", "/v1/lists/relapse-risk?area=19603&format=csv", None, {ADMIN, DISTRICT, TUYEN}),
    ("GET", "/v1/lists/exited?area=19612&period=2026&format=xlsx", None, {ADMIN, DISTRICT, HIEU}),
    ("PUT", "/v1/areas/19603/commitments/2027", {"pledged": 3}, {ADMIN, DISTRICT, TUYEN}),
    ("PUT", "/v1/areas/468/commitments/2027", {"pledged": 9}, {ADMIN, DISTRICT}),
    (
        "POST",
        "/v1/commitments",
        "area_code,year,pledged\n19612,2027,2\n",
        # Outside one's area the line is refused as naming no area (400): its existence is not
        # confirmed, and the whole file is refused.
        {ADMIN: 200, DISTRICT: 200, HIEU: 200, TUYEN: 400},
    ),
    ("GET", "/v1/projects", None, ALL),  # their names only
    ("GET", "/v1/projects/1", None, ALL),
    ("GET", "/v1/projects/1/forms", None, FORM_READERS),
    ("GET", FORM, None, FORM_READERS),
    ("GET", f"{FORM}.xml", None, FORM_READERS),
    ("GET", f"{FORM}/versions", None, FORM_READERS),
    ("GET", f"{FORM}/fields?odata=true", None, FORM_READERS),
    ("GET", f"{FORM}/submissions", None, {ADMIN, DISTRICT, TUYEN, HIEU}),  # each their own
    ("GET", OF_19603, None, READERS_OF_19603),
    ("GET", f"{OF_19603}.xml", None, READERS_OF_19603),
    ("GET", f"{OF_19603}/attachments", None, READERS_OF_19603),
    ("GET", f"{OF_19603}/attachments/anh_nha.jpg", None, READERS_OF_19603),
    ("GET", f"{OF_19603}/comments", None, READERS_OF_19603),
    ("GET", OF_19612, None, {ADMIN, DISTRICT, HIEU}),
    ("GET", f"{FORM}.svc", None, {ADMIN, DISTRICT, TUYEN, HIEU}),  # the feed: as the records
    ("GET", f"{FORM}.svc/$metadata", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{FORM}.svc/Submissions?$top=2&$count=true", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    # The poverty tables as OData: as the tables and lists above (a list is no set to a viewer).
    ("GET", REPORTS, None, ALL),
    ("GET", f"{REPORTS}/$metadata", None, ALL),
    ("GET", f"{REPORTS}/TenCot", None, ALL),
    (
        "GET",
        f"{REPORTS}/TongHop?$filter=area%20eq%20%2719603%27",
        None,
        {ADMIN, DISTRICT, TUYEN, VIEWER},
    ),
    ("GET", f"{REPORTS}/TheoDoi?$filter=area%20eq%20%27468%27", None, {ADMIN, DISTRICT, VIEWER}),
    (
        "GET",
        f"{REPORTS}/ThieuHut?$filter=area%20eq%20%2719612%27%20and%20period%20eq%202026&$top=5",
        None,
        {ADMIN: 200, DISTRICT: 200, HIEU: 200, VIEWER: 404},
    ),
    (  # each officer their own area's list (no filter: the set opens on it)
        "GET",
        f"{REPORTS}/CanTham?$count=true",
        None,
        {ADMIN: 200, DISTRICT: 200, TUYEN: 200, HIEU: 200, VIEWER: 404},
    ),
    # The household registry as Central's dataset: its name for anyone, households for officers
    # (each their own area's: test_central_entities reads a sibling's entity as absent, 404).
    ("GET", "/v1/projects/1/datasets", None, ALL),
    ("GET", DATASET, None, ALL),
    ("GET", f"{DATASET}/entities", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    (
        "GET",
        f"{DATASET}/entities/5b0d3c1a-6e2f-4a7b-9c8d-0000ffffffff",
        None,
        {ADMIN: 404, DISTRICT: 404, TUYEN: 404, HIEU: 404},
    ),
    ("GET", f"{DATASET}.svc", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{DATASET}.svc/$metadata", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{DATASET}.svc/Entities?$top=2&$count=true", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    # Raw exports: the records as the feed shows them; an area inside one's own only.
    ("GET", f"{FORM}/submissions.csv.zip", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{FORM}/submissions.csv?groupPaths=false", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{FORM}/submissions.xlsx?labels=true", None, {ADMIN, DISTRICT, TUYEN, HIEU}),
    ("GET", f"{FORM}/submissions.csv.zip?area=19603", None, {ADMIN, DISTRICT, TUYEN}),
    ("PATCH", OF_19603, {"reviewState": "approved"}, READERS_OF_19603),
    ("POST", f"{OF_19603}/comments", {"body": "đã xem"}, READERS_OF_19603),
    ("POST", f"{FORM}/submissions", NEW_OF_19603, READERS_OF_19603),
    (  # the survey names no file: a reader of the record is told so (test_central_api uploads)
        "POST",
        f"{OF_19603}/attachments/anh_nha.jpg",
        b"\xff\xd8\xff",
        {ADMIN: 404, DISTRICT: 404, TUYEN: 404},
    ),
    ("PUT", OF_19603, EDIT_OF_19603, READERS_OF_19603),
    # App users, roles and form assignments (test_central_app_users): officers keep the phones
    # of their own area, as on the phones page; an app user no one of them holds is not found.
    ("GET", "/v1/roles", None, ALL),  # Central's fixed role of an app user: no one's data
    ("GET", "/v1/roles/app-user", None, ALL),
    ("GET", "/v1/projects/1/app-users", None, PHONE_KEEPERS),  # each those of their area
    ("POST", "/v1/projects/1/app-users", {"displayName": "Máy qua API"}, PHONE_KEEPERS),
    ("DELETE", "/v1/projects/1/app-users/999999", None, NO_SUCH_APP_USER),
    ("GET", "/v1/projects/1/assignments/forms", None, PHONE_KEEPERS),
    ("GET", "/v1/projects/1/assignments/forms/2", None, PHONE_KEEPERS),
    ("GET", f"{FORM}/assignments", None, PHONE_KEEPERS),
    ("GET", f"{FORM}/assignments/app-user", None, PHONE_KEEPERS),
    ("POST", f"{FORM}/assignments/2/999999", None, NO_SUCH_APP_USER),
    ("DELETE", f"{FORM}/assignments/app-user/999999", None, NO_SUCH_APP_USER),
    # Forms by API (test_central_forms_api): changed only by an administrator without an area,
    # as on the forms page; drafts read as there. These bodies carry no Content-Type (call_api
    # sends none), which the administrator is told is wrong; test_central_forms_api sends them.
    ("POST", "/v1/projects/1/forms?publish=true", photo_form("bieu_ma_tran"), {ADMIN: 400}),
    ("POST", f"{FORM}/draft", photo_form("household_survey"), {ADMIN: 400}),
    ("GET", f"/v1/projects/1/forms/{DRAFT}/draft", None, FORM_READERS),
    ("POST", f"/v1/projects/1/forms/{DRAFT}/draft/publish?version=1", None, {ADMIN: 200}),
    ("DELETE", "/v1/sessions/current", None, ALL),  # last: it signs each person out
]


PUBLIC = ("/v1/health", "/v1/ready", "/v1/sessions")


def bearer(base: str, email: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD}
    response = requests.post(f"{base}/v1/sessions", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def api_callers(
    world: World,
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[dict[str, str], requests.Session | None]]]:
    people = {email: bearer(world.base, email) for email in PEOPLE}
    signed_out = bearer(world.base, DISTRICT)
    response = requests.delete(f"{world.base}/v1/sessions/current", headers=signed_out, timeout=10)
    assert response.status_code == 200
    strangers: dict[str, tuple[dict[str, str], requests.Session | None]] = {
        "no credentials": ({}, None),
        "a signed-out token": (signed_out, None),
        "a phone's token": ({"Authorization": f"Bearer {world.tokens['phone 19603'][0]}"}, None),
        "a made-up token": ({"Authorization": "Bearer " + "Q" * 64}, None),
        "a page's session cookie": ({}, signed_in(world.base, ADMIN).http),
    }
    return people, strangers


def call_api(
    base: str, method: str, path: str, body: Any, headers: dict[str, str], http: Any = None
) -> int:
    send = (http or requests).request
    kwargs: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"data": body}
    response = send(method, base + path, headers=headers, timeout=30, **kwargs)
    return response.status_code


def test_every_api_route_answers_each_role_area_and_token_as_it_should(world: World) -> None:
    people, strangers = api_callers(world)
    wrong = []
    for method, path, body, allowed in API:
        for name, (headers, http) in strangers.items():
            expected = 200 if path in PUBLIC else 401
            if (got := call_api(world.base, method, path, body, headers, http)) != expected:
                wrong.append((name, method, path, got))
        for email, headers in people.items():
            expected = (
                allowed.get(email, 403)
                if isinstance(allowed, dict)
                else (200 if email in allowed else 403)
            )
            if (got := call_api(world.base, method, path, body, headers)) != expected:
                wrong.append((email, method, path, got))
    assert wrong == []
    for headers in people.values():
        assert call_api(world.base, "GET", "/v1/users/current", None, headers) == 401


def test_signing_in_to_the_api_needs_the_right_password(world: World) -> None:
    wrong = {"email": DISTRICT, "password": "sai"}
    assert requests.post(f"{world.base}/v1/sessions", json=wrong, timeout=10).status_code == 401
    bearer(world.base, DISTRICT)
