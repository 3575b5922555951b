"""Who may call which OpenRosa route, over real HTTP against `rasoat serve`: phones of the sibling
communes 19603 and 19612, by token and by Digest, a phone of another project and its token used
with this one, a revoked phone, an unknown token, a wrong Digest password, no credentials; and
what each phone's generated lists and form list hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

from tests.integration import test_web_access
from tests.support import access_world
from tests.support.access_world import OTHER_FORM, World
from tests.support.collect import instance_xml, with_device_id
from tests.support.surveys import POOR, survey

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world


HOUSEHOLD_FORM = "/forms/household_survey"
FOLLOWUP_FORM = "/forms/followup_visit"
PROJECT_1 = {"phone 19603", "phone 19612", "digest 19603"}


def answers(project_1: int, project_2: int) -> dict[str, int]:
    return {**dict.fromkeys(PROJECT_1, project_1), "phone of project 2": project_2}


OPENROSA = [  # (method, route, answer for phones allowed: {caller: status}, others' status)
    ("GET", "/formList", answers(200, 200)),
    ("GET", f"{HOUSEHOLD_FORM}.xml", answers(200, 404)),
    ("GET", f"{HOUSEHOLD_FORM}/manifest", answers(200, 404)),
    ("GET", f"{HOUSEHOLD_FORM}/attachments/villages.csv", answers(200, 404)),
    ("GET", f"{FOLLOWUP_FORM}/attachments/followup_households.csv", answers(200, 404)),
    ("GET", f"{FOLLOWUP_FORM}/attachments/plan_items.csv", answers(200, 404)),
    ("GET", f"/forms/{OTHER_FORM}.xml", answers(404, 200)),
    ("GET", f"/forms/{OTHER_FORM}/manifest", answers(404, 200)),
    ("HEAD", "/submission", answers(204, 204)),
    ("POST", "/submission#household_survey", answers(201, 404)),
    ("POST", f"/submission#{OTHER_FORM}", answers(404, 201)),
]
REFUSED_CALLERS = {  # caller: the status of every route
    "revoked phone": 403,
    "token of project 2 used with project 1": 403,
    "unknown token": 403,
    "revoked phone by Digest": 401,
    "Digest with a wrong password": 401,
    "no credentials": 401,
}


@dataclass
class Caller:
    prefix: str  # "" for the plain Digest layout
    auth: Any = None


def openrosa_callers(world: World) -> dict[str, Caller]:
    def token_url(phone: str, project: int | None = None) -> str:
        token, own = world.tokens[phone]
        return f"/v1/key/{token}/projects/{project or own}"

    login, token = world.digest["phone 19603"]
    revoked_login, revoked_token = world.digest["revoked phone"]
    return {
        "phone 19603": Caller(token_url("phone 19603")),
        "phone 19612": Caller(token_url("phone 19612")),
        "digest 19603": Caller("", HTTPDigestAuth(login, token)),
        "phone of project 2": Caller(token_url("phone of project 2")),
        "revoked phone": Caller(token_url("revoked phone")),
        "token of project 2 used with project 1": Caller(token_url("phone of project 2", 1)),
        "unknown token": Caller("/v1/key/" + "Q" * 64 + "/projects/1"),
        "revoked phone by Digest": Caller("", HTTPDigestAuth(revoked_login, revoked_token)),
        "Digest with a wrong password": Caller("", HTTPDigestAuth(login, "A" * 64)),
        "no credentials": Caller(""),
    }


def submission_body(name: str, form: str) -> list[tuple[str, Any]]:
    if form == OTHER_FORM:
        xml = instance_xml(OTHER_FORM, fields={"household_code": name})
    else:
        code = "1961201-009" if "19612" in name else "1960301-009"
        commune, village = code[:5], code[:7]
        xml, _ = survey(POOR, household_code=code, commune=commune, village=village)
    return [("xml_submission_file", ("submission.xml", xml, "text/xml"))]


def call_openrosa(world: World, name: str, caller: Caller, method: str, route: str) -> int:
    path, _, form = route.partition("#")
    url = with_device_id(world.base + caller.prefix + path)
    headers = {"X-OpenRosa-Version": "1.0"}
    if method == "POST":
        files = submission_body(name, form)
        response = requests.post(url, files=files, auth=caller.auth, headers=headers, timeout=30)
    else:
        response = requests.request(method, url, auth=caller.auth, headers=headers, timeout=30)
    if response.status_code in (401, 403):
        assert "Lê Thị Hiếu" not in response.text and "household" not in response.text
    return response.status_code


def test_every_openrosa_route_answers_each_phone_as_it_should(world: World) -> None:
    wrong = []
    for name, caller in openrosa_callers(world).items():
        for method, route, allowed in OPENROSA:
            expected = allowed.get(name, REFUSED_CALLERS.get(name))
            if (got := call_openrosa(world, name, caller, method, route)) != expected:
                wrong.append((name, method, route, got, expected))
    assert wrong == []


def phone_get(world: World, phone: str, path: str) -> str:
    token, project = world.tokens[phone]
    url = with_device_id(f"{world.base}/v1/key/{token}/projects/{project}{path}")
    response = requests.get(url, headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def test_a_phone_gets_the_villages_and_households_of_its_own_commune_only(world: World) -> None:
    villages = {
        phone: set(
            re.findall(
                r"^(\d{7}),",
                phone_get(world, phone, f"{HOUSEHOLD_FORM}/attachments/villages.csv"),
                re.M,
            )
        )
        for phone in ("phone 19603", "phone 19612")
    }
    assert villages["phone 19603"] and all(v.startswith("19603") for v in villages["phone 19603"])
    assert villages["phone 19612"] and all(v.startswith("19612") for v in villages["phone 19612"])
    followup = {
        phone: phone_get(world, phone, f"{FOLLOWUP_FORM}/attachments/followup_households.csv")
        for phone in ("phone 19603", "phone 19612")
    }
    assert "1961201-001" in followup["phone 19612"]
    assert "Lê Thị Hiếu" in followup["phone 19612"]
    assert "1961201" not in followup["phone 19603"]
    assert "Lê Thị Hiếu" not in followup["phone 19603"]
    assert "1960301-001" in followup["phone 19603"]
    assert "1960301" not in followup["phone 19612"]


def test_a_phone_lists_only_the_forms_of_its_own_project(world: World) -> None:
    assert "household_survey" in phone_get(world, "phone 19603", "/formList")
    assert OTHER_FORM not in phone_get(world, "phone 19603", "/formList")
    other = phone_get(world, "phone of project 2", "/formList")
    assert OTHER_FORM in other
    assert "household_survey" not in other
