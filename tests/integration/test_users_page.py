"""The Users page, over real HTTP against `rasoat serve`: an administrator creates each role and
each signs in with the one-time password shown once; an officer manages only the people below
them in their own area; a disabled or moved person is refused on their very next request by
page session, bearer token and web-form key alike."""

from __future__ import annotations

import html
import re

import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.integration import test_web_access
from tests.integration.test_web_access import Browser, csrf_of, signed_in
from tests.integration.test_web_form_keys import WORKS, answers_to, refused, web_form_key
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, TUYEN, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world


def post(browser: Browser, path: str, data: dict[str, str]) -> requests.Response:
    token = csrf_of(browser.get("/users").content)
    return browser.post(path, {**data, "csrf_token": token})


def create(browser: Browser, email: str, role: str, area: str) -> requests.Response:
    return post(
        browser, "/users", {"email": email, "name": f"Tên {role}", "role": role, "area": area}
    )


def one_time_password(page: requests.Response) -> str:
    assert page.status_code == 200, page.text[:500]
    match = re.search(r'id="one-time-password">([^<]+)<', page.text)
    assert match, page.text[:500]
    return html.unescape(match.group(1))


def sign_in_with(base: str, email: str, password: str) -> Browser:
    browser = Browser(base)
    token = csrf_of(browser.get("/login").content)
    answer = browser.post("/login", {"email": email, "password": password, "csrf_token": token})
    assert answer.status_code == 302, answer.text[:300]
    return browser


def accounts_named(session: Session, email: str) -> int:
    session.rollback()
    query = text('SELECT count(*) FROM "user" WHERE email = :e')
    return int(session.execute(query, {"e": email}).scalar() or 0)


def test_an_administrator_creates_each_role_on_the_page_and_each_signs_in(world: World) -> None:
    admin = signed_in(world.base, ADMIN)
    made = {
        "administrator": ("qtv.moi@tinh.vn", ""),
        "upper_officer": ("tinh.moi@tinh.vn", "45"),
        "commune_officer": ("xa.moi@camthuy.vn", "19609"),
        "viewer": ("xem.moi@camthuy.vn", "19609"),
    }
    for role, (email, area) in made.items():
        password = one_time_password(create(admin, email, role, area))

        person = sign_in_with(world.base, email, password)

        users_page = person.get("/users")
        if role == "viewer":
            assert users_page.status_code == 403
            assert 'href="/users"' not in person.get("/").text
        else:
            assert users_page.status_code == 200, role
            assert 'href="/users"' in person.get("/").text
    listed = admin.get("/users").text
    assert "Cán bộ cấp trên (tỉnh/huyện)" in listed and "Cán bộ cấp xã" in listed


def test_the_page_is_refused_to_a_viewer_and_a_signed_out_browser(world: World) -> None:
    assert signed_in(world.base, access_world.VIEWER).get("/users").status_code == 403
    signed_out = Browser(world.base).get("/users")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]


def test_a_commune_officer_creates_a_viewer_of_their_commune_and_nothing_beyond(
    world: World, session: Session
) -> None:
    officer = signed_in(world.base, TUYEN)

    inside = create(officer, "xem.thon@camtuyen.vn", "viewer", "19603")
    elsewhere = create(officer, "xem.khac@camhieu.vn", "viewer", "19612")
    same_rank = create(officer, "xa.khac@camtuyen.vn", "commune_officer", "19603")

    assert one_time_password(inside)
    assert elsewhere.status_code == 403 and "area" in elsewhere.text
    assert same_rank.status_code == 403 and "role" in same_rank.text
    assert accounts_named(session, "xem.khac@camhieu.vn") == 0
    assert accounts_named(session, "xa.khac@camtuyen.vn") == 0
    emails = re.findall(r'data-email="([^"]+)"', officer.get("/users").text)
    assert emails == ["xem.thon@camtuyen.vn"], "only the people below them in their area"


def test_bad_input_on_the_page_names_the_field_and_writes_nothing(
    world: World, session: Session
) -> None:
    admin = signed_in(world.base, ADMIN)

    taken = create(admin, TUYEN.upper(), "viewer", "19603")
    misplaced = create(admin, "sai.cap@camlo.vn", "commune_officer", "468")
    weak = post(
        admin,
        "/users",
        {"email": "yeu@camlo.vn", "name": "Y", "role": "viewer", "area": "468", "password": "ngan"},
    )

    assert taken.status_code == 409 and "email" in taken.text
    assert misplaced.status_code == 400 and "area" in misplaced.text
    assert weak.status_code == 400 and "password" in weak.text
    for email in ("sai.cap@camlo.vn", "yeu@camlo.vn"):
        assert accounts_named(session, email) == 0


def ways_in(world: World, email: str, password: str) -> tuple[Browser, str, str]:
    """A page session, a bearer token and a web-form key of the person."""
    browser = sign_in_with(world.base, email, password)
    answer = requests.post(
        f"{world.base}/v1/sessions", json={"email": email, "password": password}, timeout=30
    )
    token = answer.json()["token"]
    key = web_form_key(browser)
    return browser, token, key


def is_refused_everywhere(world: World, login: str, ways: tuple[Browser, str, str]) -> None:
    browser, token, key = ways
    for path in ("/users", "/account"):
        page = browser.get(path)
        assert page.status_code == 302 and "/login" in page.headers["Location"], path
    me = requests.get(
        f"{world.base}/v1/users/current", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert me.status_code == 401
    assert refused(answers_to(world.base, key, login, "19612"))


def login_of(session: Session, email: str) -> str:
    session.rollback()
    query = text('SELECT id FROM "user" WHERE email = :e')
    return f"web.{session.execute(query, {'e': email}).scalar()}"


def test_a_disabled_person_is_refused_on_their_next_request_by_page_bearer_and_web_form_key(
    world: World, session: Session
) -> None:
    admin = signed_in(world.base, ADMIN)
    email = "se.khoa@camhieu.vn"
    password = one_time_password(create(admin, email, "commune_officer", "19612"))
    ways = ways_in(world, email, password)
    login = login_of(session, email)
    assert answers_to(world.base, ways[2], login, "19612") == WORKS

    assert post(admin, "/users/disable", {"email": email}).status_code == 302

    is_refused_everywhere(world, login, ways)
    page = admin.get("/users?state=disabled").text
    assert re.findall(r'data-email="([^"]+)"', page) == [email]


def test_a_person_moved_by_their_upper_officer_loses_every_key_of_the_old_area(
    world: World, session: Session
) -> None:
    upper = signed_in(world.base, DISTRICT)
    email = "se.chuyen@camhieu.vn"
    password = one_time_password(create(upper, email, "commune_officer", "19612"))
    ways = ways_in(world, email, password)

    assert post(upper, "/users/move", {"email": email, "value": "19609"}).status_code == 302

    is_refused_everywhere(world, login_of(session, email), ways)
    assert sign_in_with(world.base, email, password).get("/users").status_code == 200


def test_a_reset_password_is_shown_once_and_the_old_one_stops_working(world: World) -> None:
    admin = signed_in(world.base, ADMIN)
    email = "quen.mk@camthuy.vn"
    first = one_time_password(create(admin, email, "viewer", "19609"))

    second = one_time_password(post(admin, "/users/reset-password", {"email": email}))

    assert second != first
    sign_in_with(world.base, email, second)
    old = Browser(world.base)
    token = csrf_of(old.get("/login").content)
    answer = old.post("/login", {"email": email, "password": first, "csrf_token": token})
    assert answer.status_code == 401


def test_the_list_filters_by_role_area_state_and_text(world: World) -> None:
    admin = signed_in(world.base, ADMIN)

    def emails(query: str) -> list[str]:
        return re.findall(r'data-email="([^"]+)"', admin.get(f"/users?{query}").text)

    assert emails("role=commune_officer") == sorted(
        e for e, (role, _) in test_web_access.PEOPLE.items() if role == "commune_officer"
    )
    assert emails("area=19612") == ["hieu@camlo.vn"]
    assert emails("q=HIEU") == ["hieu@camlo.vn"]
    assert emails("state=disabled") == []
    assert (
        post(admin, "/users/role", {"email": "hieu@camlo.vn", "value": "viewer"}).status_code == 302
    )
    assert emails("role=viewer&area=19612") == ["hieu@camlo.vn"]
