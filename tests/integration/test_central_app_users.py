"""ODK Central's app users, roles and form assignments over real HTTP against `rasoat serve`:
through pyodk 1.3's `projects.create_app_users` and its session (what pyodk users do for the
calls it has no method for), and with plain `requests`; each officer only inside their own area,
as on the phones page, every change audited, every refusal Central's problem JSON.

The world is the access matrices' (tests/support/access_world.py): commune officers of the
sibling communes 19603 (TUYEN) and 19612 (HIEU), a district officer of 468, a viewer, an
administrator, phones of both communes set up for every form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AppUser, AuditEvent
from tests.integration import test_web_access
from tests.integration.test_central_api import basic, pyodk_client
from tests.integration.test_web_access import signed_in
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, HIEU, TUYEN, VIEWER, World
from tests.support.collect import CollectClient, parse_form_list

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

PROJECT = "/v1/projects/1"
SURVEY, FOLLOWUP = "household_survey", "followup_visit"


def call(world: World, method: str, path: str, email: str, body: Any = None) -> requests.Response:
    return requests.request(method, world.base + path, json=body, headers=basic(email), timeout=30)


def forms_of_phone(world: World, token: str, project_id: int = 1) -> set[str]:
    client = CollectClient(f"{world.base}/v1/key/{token}/projects/{project_id}")
    response = client.form_list()
    assert response.status_code == 200, response.text
    return {form["formID"] for form in parse_form_list(response.content)}


def app_user_named(session: Session, name: str) -> AppUser:
    session.rollback()  # see what the server committed
    return session.scalars(select(AppUser).where(AppUser.display_name == name)).one()


def actions_on(session: Session, login: str) -> list[tuple[str, str | None]]:
    session.rollback()
    query = (
        select(AuditEvent.action, AuditEvent.details)
        .where(AuditEvent.target == f"app user {login}")
        .order_by(AuditEvent.id)
    )
    return [(action, details) for action, details in session.execute(query)]


def test_pyodk_creates_app_users_of_the_officer_s_area_using_only_the_forms_it_assigns(
    world: World, tmp_path: Path, session: Session
) -> None:
    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        (created,) = client.projects.create_app_users(["Máy thôn Một"], forms=[SURVEY])
        assert created.token is not None and created.type == "field_key"
        listed = client.session.get("projects/1/app-users").json()
    mine = next(u for u in listed if u["id"] == created.id)
    assert mine["displayName"] == "Máy thôn Một" and mine["areaCode"] == "19603"
    assert mine["token"] is None  # only its hashes are kept: shown once, when created
    assert forms_of_phone(world, created.token) == {SURVEY}  # not the follow-up form
    login = app_user_named(session, "Máy thôn Một").login
    assert actions_on(session, login) == [
        ("app_user.create", None),
        ("app_user.forms", f"+ form {SURVEY}"),
    ]


def test_an_officer_keeps_app_users_only_inside_their_own_area(
    world: World, session: Session
) -> None:
    app_users = f"{PROJECT}/app-users"
    outside = call(world, "POST", app_users, TUYEN, {"displayName": "Máy lạ", "areaCode": "19612"})
    assert outside.status_code == 403 and outside.json()["code"] == 403.1
    unknown = call(world, "POST", app_users, TUYEN, {"displayName": "Máy lạ", "areaCode": "999"})
    assert unknown.status_code == 400 and "areaCode" in unknown.json()["message"]
    unnamed = call(world, "POST", app_users, TUYEN, {"areaCode": "19603"})
    assert unnamed.status_code == 400 and "displayName" in unnamed.json()["message"]
    blank = call(world, "POST", app_users, TUYEN, {"displayName": "  "})
    assert blank.status_code == 400 and "displayName" in blank.json()["message"]
    nowhere = call(world, "POST", app_users, DISTRICT, {"displayName": "Máy lạ", "areaCode": ""})
    assert nowhere.status_code == 403  # without an area it would write into every commune
    assert call(world, "POST", app_users, VIEWER, {"displayName": "Máy lạ"}).status_code == 403
    session.rollback()
    assert session.scalars(select(AppUser).where(AppUser.display_name == "Máy lạ")).all() == []

    of_hieu = call(
        world, "POST", app_users, DISTRICT, {"displayName": "Máy Hiếu", "areaCode": "19612"}
    )
    assert of_hieu.status_code == 200 and of_hieu.json()["areaCode"] == "19612"
    hieu_id = of_hieu.json()["id"]
    seen_by = {
        email: {u["areaCode"] for u in call(world, "GET", app_users, email).json()}
        for email in (TUYEN, HIEU, DISTRICT)
    }
    assert seen_by == {TUYEN: {"19603"}, HIEU: {"19612"}, DISTRICT: {"19603", "19612"}}
    # 19603's officer can neither see nor touch 19612's app user: not found, nothing changes.
    survey_of_hieu = f"{PROJECT}/forms/{SURVEY}/assignments/app-user/{hieu_id}"
    assert call(world, "POST", survey_of_hieu, TUYEN).status_code == 404
    refused = call(world, "DELETE", f"{app_users}/{hieu_id}", TUYEN)
    assert refused.status_code == 404 and refused.json()["code"] == 404.1
    assert forms_of_phone(world, of_hieu.json()["token"]) == set()  # no form assigned yet
    page = signed_in(world.base, DISTRICT).get("/phones").text
    assert "Máy Hiếu" in page and "chưa có" in page  # the phones page says so too


def test_revoking_an_app_user_ends_its_token_and_takes_it_off_the_list(world: World) -> None:
    app_users = f"{PROJECT}/app-users"
    created = call(world, "POST", app_users, TUYEN, {"displayName": "Máy mất"}).json()
    assert call(
        world, "POST", f"{PROJECT}/forms/{SURVEY}/assignments/2/{created['id']}", TUYEN
    ).json() == {"success": True}
    assert forms_of_phone(world, created["token"]) == {SURVEY}
    assert call(world, "DELETE", f"{app_users}/{created['id']}", TUYEN).json() == {"success": True}
    client = CollectClient(f"{world.base}/v1/key/{created['token']}/projects/1")
    assert client.form_list().status_code in (401, 403)
    assert created["id"] not in {u["id"] for u in call(world, "GET", app_users, TUYEN).json()}
    assert call(world, "DELETE", f"{app_users}/{created['id']}", TUYEN).status_code == 404


def test_form_assignments_are_central_s_and_a_phone_for_every_form_keeps_the_others(
    world: World, tmp_path: Path, session: Session
) -> None:
    phone = app_user_named(session, "Máy Cam Tuyền")  # set up on the page for every form
    token = world.tokens["phone 19603"][0]
    assert forms_of_phone(world, token) == {SURVEY, FOLLOWUP}
    summary = call(world, "GET", f"{PROJECT}/assignments/forms", TUYEN).json()
    assert {"actorId": phone.id, "roleId": 2, "xmlFormId": FOLLOWUP} in summary
    assert {a["actorId"] for a in summary} == {phone.id}  # 19612's phones are not TUYEN's
    of_followup = f"{PROJECT}/forms/{FOLLOWUP}/assignments"
    assert {"actorId": phone.id, "roleId": 2} in call(world, "GET", of_followup, DISTRICT).json()
    holders = call(world, "GET", f"{of_followup}/app-user", TUYEN).json()
    assert [(h["id"], h["type"], h["token"]) for h in holders] == [(phone.id, "field_key", None)]

    with pyodk_client(world.base, TUYEN, tmp_path) as client:
        taken = client.session.delete(f"projects/1/forms/{FOLLOWUP}/assignments/2/{phone.id}")
        assert taken.json() == {"success": True}
        again = client.session.delete(f"projects/1/forms/{FOLLOWUP}/assignments/2/{phone.id}")
        assert again.status_code == 404 and again.json()["code"] == 404.1
    assert forms_of_phone(world, token) == {SURVEY}
    assert {"actorId": phone.id, "roleId": 2} not in call(world, "GET", of_followup, TUYEN).json()
    given = call(world, "POST", f"{of_followup}/app-user/{phone.id}", TUYEN)
    assert given.json() == {"success": True}
    assert forms_of_phone(world, token) == {SURVEY, FOLLOWUP}
    assert actions_on(session, phone.login)[-2:] == [
        ("app_user.forms", f"− form {FOLLOWUP}"),
        ("app_user.forms", f"+ form {FOLLOWUP}"),
    ]

    no_role = call(world, "POST", f"{of_followup}/1/{phone.id}", TUYEN)  # Central's "admin"
    assert no_role.status_code == 404 and no_role.json()["code"] == 404.1
    no_form = call(world, "POST", f"{PROJECT}/forms/khong_co/assignments/2/{phone.id}", TUYEN)
    assert no_form.status_code == 404


def test_roles_are_central_s_app_user_role(world: World) -> None:
    roles = call(world, "GET", "/v1/roles", VIEWER).json()
    assert [(r["id"], r["system"]) for r in roles] == [(2, "app-user")]
    assert set(roles[0]) >= {"id", "name", "system", "createdAt", "updatedAt", "verbs"}
    assert call(world, "GET", "/v1/roles/app-user", ADMIN).json() == roles[0]
    assert call(world, "GET", "/v1/roles/2", ADMIN).json() == roles[0]
    assert call(world, "GET", "/v1/roles/manager", ADMIN).status_code == 404
    assert requests.get(f"{world.base}/v1/roles", timeout=30).status_code == 401
