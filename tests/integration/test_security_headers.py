"""Every kind of response comes with the headers that stop framing, sniffing and leaking the
address: pages and the web form with a Content-Security-Policy that forbids framing, data with
a policy that forbids running anything, all with nosniff and a same-origin referrer."""

from __future__ import annotations

import re

import pytest
import requests
from flask import Flask
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.services.users import create_user
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form

EMAIL = "dau.trang@camlo.vn"
PASSWORD = "mật-khẩu-đầu-trang"


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


def assert_common_headers(response: requests.Response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
    assert response.headers["X-Frame-Options"] == "DENY", response.url
    # The web form's pages send none at all (their address holds the phone's token).
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), response.url
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "'none'", response.url


def assert_page_policy(response: requests.Response) -> None:
    assert_common_headers(response)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"], "no inline scripts may run"
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'"


def assert_data_policy(response: requests.Response) -> None:
    assert_common_headers(response)
    assert directives(response.headers["Content-Security-Policy"])["default-src"] == "'none'"


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, str]:
    make_areas(session)
    publish_form(app, session, photo_form("hh"))
    create_user(
        session, email=EMAIL, display_name="Cán bộ", password=PASSWORD, role=Role.ADMINISTRATOR
    )
    session.commit()
    phone = make_app_user(session)
    session.commit()
    return {"token": phone.token}


def test_every_page_of_the_staff_and_its_errors_forbid_framing(
    world: dict[str, str], live_server: LiveServer
) -> None:
    base = live_server.base_url
    browser = requests.Session()
    login = browser.get(f"{base}/login", timeout=20)
    assert login.status_code == 200
    assert_page_policy(login)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text)
    assert csrf
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf.group(1)}
    assert browser.post(f"{base}/login", data=form, timeout=20).status_code == 200
    for path, status in (("/", 200), ("/submissions", 200), ("/khong-co-trang-nay", 404)):
        response = browser.get(f"{base}{path}", timeout=20)
        assert response.status_code == status, path
        assert_page_policy(response)
    assert_common_headers(browser.get(f"{base}/static/site.css", timeout=20))


def test_the_web_form_and_its_service_worker_come_with_the_page_policy(
    world: dict[str, str], live_server: LiveServer
) -> None:
    base = live_server.base_url
    page = requests.get(f"{base}/f/{world['token']}/hh", timeout=20)
    assert page.status_code == 200
    assert_page_policy(page)
    # The engine compiles its XPath grammar from WebAssembly: that alone is allowed beyond 'self'.
    assert "'wasm-unsafe-eval'" in directives(page.headers["Content-Security-Policy"])["script-src"]
    worker = requests.get(f"{base}/f/sw.js", timeout=20)
    assert worker.status_code == 200
    assert_page_policy(worker)
    scripts = re.findall(r'src="(/webform/assets/[^"]+\.js)"', page.text)
    assert scripts, page.text[:500]
    assert_common_headers(requests.get(f"{base}{scripts[0]}", timeout=20))


def test_data_for_phones_and_scripts_may_not_run_or_be_framed(
    world: dict[str, str], live_server: LiveServer
) -> None:
    base = live_server.base_url
    form_list = requests.get(f"{base}/v1/key/{world['token']}/projects/1/formList", timeout=20)
    assert form_list.status_code == 200
    assert_data_policy(form_list)
    assert_data_policy(requests.get(f"{base}/v1/health", timeout=20))
    signed = requests.post(
        f"{base}/v1/sessions", json={"email": EMAIL, "password": PASSWORD}, timeout=20
    )
    bearer = {"Authorization": f"Bearer {signed.json()['token']}"}
    table = requests.get(
        f"{base}/v1/reports/summary?area=468&period=2026&format=csv", headers=bearer, timeout=20
    )
    assert table.status_code == 200, table.text[:300]
    assert_data_policy(table)
