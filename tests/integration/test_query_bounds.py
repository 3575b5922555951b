"""Every query parameter of every route, fed extreme and malformed values over real HTTP, is
answered without a server error (issue 13 point 4): out-of-bounds numbers and hostile strings
are refused with 400 naming the parameter, in the shape of the surface (an HTML page, problem
JSON, an OpenRosa response).

The routes come from `app.url_map` with an example request from the access matrices (which
cover every route), and the parameters each route reads from READS below, checked against the
url_map and against the parameters `server/query_params.py` declares: a new route or parameter
fails here until it is listed, and then it is fed like the others."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree.ElementTree import fromstring

import requests
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from requests.auth import HTTPDigestAuth
from werkzeug.routing import Rule

from server.query_params import DECLARED
from tests.integration import test_web_access
from tests.integration.test_access_api import API
from tests.integration.test_access_matrix import EXEMPT
from tests.integration.test_access_openrosa import OPENROSA
from tests.integration.test_access_pages import WEB
from tests.integration.test_access_web_form import WEB_FORM
from tests.integration.test_web_access import PASSWORD, signed_in
from tests.support import access_world
from tests.support.access_world import ADMIN, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

PAGES = ("lang",)  # every page and web-form page reads ?lang= (the language it is shown in)
TABLE = ("area", "format", "lang")
# A raw export (api/raw_exports.py): Central's options, ours, the area and the language.
EXPORT = ("splitSelectMultiples", "groupPaths", "labels", "area", "lang")
READS: dict[str, tuple[str, ...]] = {  # endpoint: the query parameters it reads
    "web.home": ("period",),
    "web.login": ("next",),
    "web.areas_page": ("code",),
    "web.audit_log": ("kind", "person", "page"),
    "web.submissions": ("form", "area", "from", "to", "state", "page"),
    "web.submission": ("version",),
    "web.submission_file": ("version",),
    "web.summary_page": ("area", "period", "format"),
    "web.followup_page": ("area", "format"),
    "web.commitments_page": ("area", "period", "format"),
    "web.list_page": (
        "area",
        "period",
        "format",
        "indicator",
        "group",
        "village",
        "sort",
        "view",
        "page",
    ),
    "web.form_version_page": ("form_lang",),
    "web.export_submissions": (
        "form",
        "file",
        "labels",
        "splitSelectMultiples",
        "groupPaths",
        "area",
    ),
    "web.users_page": ("role", "area", "state", "q"),
    "web.organisations_page": ("area", "format"),
    "web.plan_page": ("area", "period", "format"),
    "web.plan_sheet": ("area", "period"),
    "web.plan_by_indicator": ("area", "period", "format"),
    "web.plan_by_organisation": ("area", "period", "format"),
    "web.plan_gap": ("area", "period", "format"),
    "web.plan_overdue": ("area", "period", "format"),
    "web.plan_organisation_households": ("area", "period", "format"),
    "web.plan_sponsored": ("area", "period", "format"),
    "web.plan_effect": ("area", "period", "format"),
    # A refused form of the plan pages is shown again on its page, of the area and year chosen.
    "web.create_organisation": ("area", "format"),
    "web.import_organisations": ("area", "format"),
    "web.create_plan_items": ("area", "period", "format"),
    "web.assign_responsibility": ("area", "period", "format"),
    "web.import_plan": ("area", "period", "format"),
    "web.commendation_page": ("area", "period", "format"),
    "web.commendation_approved": ("area", "period", "format"),
    # A refused proposal or decision is shown again on the review page of the area and year.
    "web.propose_commendation": ("area", "period", "format"),
    "web.decide_commendation": ("area", "period", "format"),
    "web.dialogues_page": ("area", "period", "format"),
    "web.record_dialogue": ("area", "period", "format"),
    "api.summary": (*TABLE, "period"),
    "api.followup": TABLE,
    "api.commitments_report": (*TABLE, "period"),
    "api.action_list": (*TABLE, "period", "indicator", "group"),
    "api.central_form_fields": ("odata",),
    "api.central_create_submission": ("deviceID",),
    "api.odata_table": (
        "$top", "$skip", "$count", "$wkt", "$filter", "$format", "$select", "$skiptoken",
        "$orderby", "$expand",
    ),
    "api.central_edit_submission": ("deviceID",),
    "api.central_create_form": ("publish", "ignoreWarnings"),
    "api.central_create_draft": ("ignoreWarnings",),
    "api.central_publish_draft": ("version",),
    "api.reports_table": ("$top", "$skip", "$count", "$filter", "$format"),
    "api.entities_table": ("$top", "$skip", "$count", "$filter", "$format"),
    "api.central_export_csv_zip": EXPORT,
    "api.central_export_csv": EXPORT,
    "api.central_export_xlsx": EXPORT,
    "openrosa.form_list": ("formID",),
    "openrosa.submission": ("deviceID",),
}
READS_NOTHING = {  # endpoints whose view reads no query parameter (pages still read ?lang=)
    "api.health",
    "api.ready",
    "api.sign_in",
    "api.sign_out",
    "api.who_am_i",
    "api.reports_service",
    "api.reports_metadata",
    "api.central_datasets",
    "api.central_dataset",
    "api.central_entities",
    "api.central_entity",
    "api.entities_service",
    "api.entities_metadata",
    "api.pledge",
    "api.import_pledges",
    "api.central_projects",
    "api.central_project",
    "api.central_forms",
    "api.central_form",
    "api.central_form_xml",
    "api.central_form_versions",
    "api.central_submissions",
    "api.central_submission",
    "api.central_review_submission",
    "api.central_submission_xml",
    "api.central_comments",
    "api.central_add_comment",
    "api.central_attachments",
    "api.central_attachment",
    "api.central_upload_attachment",
    "api.odata_service",
    "api.central_draft",
    "api.central_roles",
    "api.central_role",
    "api.central_app_users",
    "api.central_create_app_user",
    "api.central_revoke_app_user",
    "api.central_project_form_assignments",
    "api.central_project_form_assignments_of_role",
    "api.central_form_assignments",
    "api.central_form_assignees",
    "api.central_assign_form",
    "api.central_unassign_form",
    "api.odata_metadata",
    "openrosa.form_xml",
    "openrosa.manifest",
    "openrosa.media",
    "web.static",
    "web.set_households",
    "web.import_areas_page",
    "web.forms_page",
    "web.upload_form",
    "web.form_page",
    "web.change_form",
    "web.form_xlsform",
    "web.phones",
    "web.create_phone",
    "web.revoke_phone",
    "web.review_submission",
    "web.apply_held_submission",
    "web.reject_held_submission",
    "web.logout",
    "web.account",
    "web.connect_page",
    "web.sign_out_everywhere",
    "web.unlock_account",
    "web.create_person",
    "web.set_person_role",
    "web.move_person",
    "web.disable_person",
    "web.enable_person",
    "web.reset_person_password",
    "web.plan_item_page",
    "web.edit_plan_item",
    "webform.asset",
    "webform.service_worker",
    "webform.forms_of_officer",
    "webform.form_for_officer",
    "webform.forms_of_app_user",
    "webform.form_for_app_user",
    "webform.try_draft",
    "webform.try_draft_xform",
    "webform.try_draft_media",
}

HUGE = "9" * 20
EXTREMES = [  # each parameter of each route gets each of these, the others as in the example
    HUGE,
    str(2**31),
    "-1",
    "0",
    "1.5",
    "",
    " ",
    "²",  # a digit to str.isdigit, not to int()
    "a\x00b",
    "\r\n",
    "🙂" * 40,
    "x" * 3000,
    "9999-12-31",
]
# ?lang= is read the same way by every page: a few values each, the rest by hypothesis.
LANG_EXTREMES = ["", "\x00", "x" * 3000, "🙂"]
HOSTILE = st.one_of(
    st.sampled_from(EXTREMES),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.text(max_size=200),
)


def reads(endpoint: str) -> tuple[str, ...]:
    own = READS.get(endpoint, ())
    page = endpoint.startswith(("web.", "webform.")) and endpoint != "web.static"
    return own + PAGES if page else own


def test_every_route_says_which_query_parameters_it_reads(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(READS) | READS_NOTHING == endpoints, "list the route in READS or READS_NOTHING"
    assert not set(READS) & READS_NOTHING
    named = {name for endpoint in endpoints for name in reads(endpoint)}
    assert named == {param.name for param in DECLARED}, "a parameter no route reads, or unknown"


@dataclass(frozen=True)
class Example:
    rule: str
    endpoint: str
    method: str
    path: str
    query: dict[str, str]
    auth: Any = None
    headers: tuple[tuple[str, str], ...] = ()


def examples(app: Flask, world: World, bearer: dict[str, str]) -> list[Example]:
    """One request per route and method, from the access matrices, as the administrator (pages,
    API) or the phone of commune 19603 (OpenRosa by token and by Digest, the web form)."""
    token, project = world.tokens["phone 19603"]
    login, secret = world.digest["phone 19603"]
    prefix = f"/v1/key/{token}/projects/{project}"
    made = [("GET", path) for path, _ in test_web_access.ROUTES]
    made += [(method, path_of(world)) for method, path_of, _, _ in WEB]
    made += [(method, path) for method, path, _, _ in API]
    made += [
        (method, p + route.partition("#")[0]) for method, route, _ in OPENROSA for p in ("", prefix)
    ]
    made += [("GET", f"/f/{token}{route}") for route, _ in WEB_FORM]
    made += [("GET", "/login"), ("POST", "/login"), ("GET", "/f/sw.js")]
    adapter = app.url_map.bind("localhost")
    found: dict[tuple[str, str], Example] = {}
    for method, path in made:
        method = "GET" if method == "HEAD" else method
        split = urlsplit(path)
        rule: Rule
        rule, _ = adapter.match(split.path, method=method, return_rule=True)
        if (rule.rule, method) in found:
            continue
        endpoint = str(rule.endpoint)
        auth, headers = None, ()
        if endpoint.startswith("api."):
            who = "sign_out" if endpoint == "api.sign_out" else "admin"
            headers = (("Authorization", f"Bearer {bearer[who]}"),)
        elif endpoint.startswith("openrosa.") and not split.path.startswith("/v1/key/"):
            auth = HTTPDigestAuth(login, secret)
        query = {k: v for k, v in parse_qsl(split.query) if k != "format"}  # HTML is enough
        found[(rule.rule, method)] = Example(
            rule.rule, endpoint, method, split.path, query, auth, headers
        )
    every = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if rule.rule not in EXEMPT or rule.rule in {"/login", "/f/sw.js"}
    }
    assert every <= set(found), f"no example request for {sorted(every - set(found))}"
    return [found[key] for key in sorted(every)]


def call(http: requests.Session, base: str, example: Example, query: dict[str, str]) -> int:
    response = http.request(
        example.method,
        base + example.path,
        params=query,
        auth=example.auth,
        headers=dict(example.headers),
        allow_redirects=False,
        timeout=60,
    )
    return response.status_code


def test_no_query_parameter_of_any_route_makes_a_server_error(app: Flask, world: World) -> None:
    admin = signed_in(world.base, ADMIN)
    bearer = {
        who: requests.post(
            f"{world.base}/v1/sessions", json={"email": ADMIN, "password": PASSWORD}, timeout=30
        ).json()["token"]
        for who in ("admin", "sign_out")
    }
    http = admin.http  # the administrator's cookie, for the pages
    routes = examples(app, world, bearer)
    sweep = [
        (example, {**example.query, name: value})
        for example in routes
        for name in reads(example.endpoint)
        for value in (LANG_EXTREMES if name == "lang" else EXTREMES)
    ]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda job: call(http, world.base, *job), sweep))
    failed = [
        (example.method, example.path, query, status)
        for (example, query), status in zip(sweep, statuses, strict=True)
        if status >= 500
    ]
    assert failed == []

    for example in routes:
        if reads(example.endpoint):
            random_values_make_no_server_error(http, world.base, example)


def random_values_make_no_server_error(http: requests.Session, base: str, example: Example) -> None:
    @settings(max_examples=5, deadline=None, database=None)
    @given(st.dictionaries(st.sampled_from(reads(example.endpoint)), HOSTILE, min_size=1))
    def no_server_error(chosen: dict[str, str]) -> None:
        status = call(http, base, example, {**example.query, **chosen})
        assert status < 500, (example.method, example.path, chosen)

    no_server_error()


def refusal_text(response: requests.Response) -> str:
    if response.headers["Content-Type"].startswith("text/xml"):
        ns = "{http://openrosa.org/http/response}"
        return fromstring(response.content).findtext(f"{ns}message") or ""
    if response.headers["Content-Type"].startswith("application/json"):
        return str(response.json()["message"])
    return re.sub(r"<[^>]+>", " ", response.text)


def test_a_page_number_beyond_any_page_is_refused_with_a_page_naming_it(world: World) -> None:
    admin = signed_in(world.base, ADMIN)
    response = admin.get(f"/submissions?form=household_survey&page={HUGE}")
    assert (response.status_code, response.headers["Content-Type"][:9]) == (400, "text/html")
    assert "Invalid value in page" in refusal_text(response)
    assert "Dữ liệu không hợp lệ ở page" in refusal_text(response)


def test_a_review_year_out_of_bounds_is_refused_as_problem_json_naming_it(world: World) -> None:
    token = requests.post(
        f"{world.base}/v1/sessions", json={"email": ADMIN, "password": PASSWORD}, timeout=30
    ).json()["token"]
    for period in (HUGE, "²", "1999", "-1"):
        response = requests.get(
            f"{world.base}/v1/reports/summary",
            params={"area": "19603", "period": period},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 400, period
        assert response.json()["code"] == 400.8
        assert "Invalid value in period" in response.json()["message"]


def test_a_phone_s_query_with_a_nul_is_refused_as_an_openrosa_response(world: World) -> None:
    token, project = world.tokens["phone 19603"]
    url = f"{world.base}/v1/key/{token}/projects/{project}/formList"
    response = requests.get(url, params={"formID": "a\x00b"}, timeout=30)
    assert (response.status_code, response.headers["Content-Type"][:8]) == (400, "text/xml")
    assert "formID" in refusal_text(response)


def test_a_number_in_a_path_beyond_any_row_matches_no_route(world: World) -> None:
    token = requests.post(
        f"{world.base}/v1/sessions", json={"email": ADMIN, "password": PASSWORD}, timeout=30
    ).json()["token"]
    response = requests.put(
        f"{world.base}/v1/areas/19603/commitments/{HUGE}",
        json={"pledged": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 404
    assert response.json()["code"] == 404.1
