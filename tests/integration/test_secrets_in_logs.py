"""Tokens and passwords never reach the logs (issue 8 point 6): a live server is used the way
people and phones use it, right and wrong, and its whole output (gunicorn's access and error
log, the application's log) is searched for every secret that went over the wire."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from flask import Flask
from requests.auth import HTTPDigestAuth
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.extensions import blob_store
from server.services import app_users
from server.services.users import create_user
from tests.support.collect import CollectClient, instance_xml
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form

MARKETS = b"name,label\ncho_cam_lo,Cho Cam Lo\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

EMAIL = "canbo.nhatky@camlo.vn"
PASSWORD = "Mật-khẩu-bí-mật-9431"
WRONG_PASSWORD = "Sai-mật-khẩu-2718"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:300]
    return match.group(1)


def use_the_web_pages(base: str) -> None:
    browser = requests.Session()
    for password, status in ((WRONG_PASSWORD, 401), (PASSWORD, 302)):
        token = csrf_of(browser.get(f"{base}/login", timeout=20).text)
        form = {"email": EMAIL, "password": password, "csrf_token": token}
        response = browser.post(f"{base}/login", data=form, allow_redirects=False, timeout=20)
        assert response.status_code == status, response.text[:300]
    assert browser.get(f"{base}/", timeout=20).status_code == 200


def use_the_json_api(base: str) -> list[str]:
    """Sign in (wrong, then right), call with the bearer token, sign out; the tokens used."""
    wrong = {"email": EMAIL, "password": WRONG_PASSWORD}
    assert requests.post(f"{base}/v1/sessions", json=wrong, timeout=20).status_code == 401
    right = {"email": EMAIL, "password": PASSWORD}
    signed = requests.post(f"{base}/v1/sessions", json=right, timeout=20)
    assert signed.status_code == 200, signed.text
    bearer = str(signed.json()["token"])
    headers = {"Authorization": f"Bearer {bearer}"}
    assert requests.get(f"{base}/v1/users/current", headers=headers, timeout=20).ok
    requests.get(f"{base}/v1/reports/summary?area=468&period=2026", headers=headers, timeout=20)
    requests.get(f"{base}/v1/lists/exited?area=468&period=2026", headers=headers, timeout=20)
    assert requests.delete(f"{base}/v1/sessions/current", headers=headers, timeout=20).ok
    after = requests.get(f"{base}/v1/users/current", headers=headers, timeout=20)
    assert after.status_code in (401, 403)
    return [bearer]


def use_openrosa(base: str, token: str, login: str) -> None:
    phone = CollectClient(f"{base}/v1/key/{token}/projects/1")
    assert phone.form_list().status_code == 200
    assert phone.get(f"{phone.server_url}/forms/hh.xml").status_code == 200
    assert phone.get(f"{phone.server_url}/forms/nothing.xml").status_code == 404
    assert phone.head_submission().status_code == 204
    assert phone.post(instance_xml("hh")).status_code == 201
    assert phone.post(b"<broken").status_code == 400
    assert requests.get(f"{phone.server_url}/no/such/route", timeout=20).status_code == 404
    digest = CollectClient(base, auth=HTTPDigestAuth(login, token))
    assert digest.form_list().status_code == 200
    assert digest.post(instance_xml("hh")).status_code == 201
    wrong = CollectClient(base, auth=HTTPDigestAuth(login, token[::-1]))
    assert wrong.form_list().status_code == 401


def use_the_web_form(base: str, token: str) -> None:
    """The web form's pages of a phone, with the token in the path and in a query string."""
    assert requests.get(f"{base}/f/{token}", timeout=20).status_code == 200
    assert requests.get(f"{base}/f/{token}/hh", timeout=20).status_code == 200
    assert requests.get(f"{base}/f/{token}/khong_co", timeout=20).status_code == 404
    assert requests.get(f"{base}/f/{token[::-1]}", timeout=20).status_code in (401, 403)
    requests.get(f"{base}/v1/health?token={token}&st={token}", timeout=20)


@contextmanager
def blob_missing(path: Path) -> Iterator[None]:
    """A stored file taken away for a moment (a disk fault): the server cannot read it."""
    hidden = path.with_name(path.name + ".hidden")
    path.rename(hidden)
    try:
        yield
    finally:
        hidden.rename(path)


def force_an_error_on_a_token_url(base: str, token: str, media: Path) -> None:
    """An unhandled error while serving a phone: Flask logs the path, with the traceback."""
    url = f"{base}/v1/key/{token}/projects/1/forms/hh_media/attachments/markets.csv"
    with blob_missing(media):
        assert requests.get(url, timeout=20).status_code == 500


def test_no_token_or_password_appears_in_the_servers_logs(
    app: Flask, session: Session, live_server: LiveServer
) -> None:
    make_areas(session)
    publish_form(app, session, photo_form("hh"))
    publish_form(
        app, session, photo_form("hh_media", with_media=True), media={"markets.csv": MARKETS}
    )
    create_user(
        session, email=EMAIL, display_name="Cán bộ", password=PASSWORD, role=Role.ADMINISTRATOR
    )
    session.commit()
    phone = make_app_user(session)
    revoked = make_app_user(session, name="Máy bị thu hồi")
    session.commit()
    app_users.revoke_app_user(session, 1, revoked.login)
    session.commit()
    base = live_server.base_url
    start = len(live_server.log())

    use_the_web_pages(base)
    bearers = use_the_json_api(base)
    use_openrosa(base, phone.token, phone.login)
    use_the_web_form(base, phone.token)
    force_an_error_on_a_token_url(base, phone.token, blob_store(app).path(sha256(MARKETS)))
    refused = CollectClient(f"{base}/v1/key/{revoked.token}/projects/1")
    assert refused.form_list().status_code == 403
    time.sleep(0.5)  # gunicorn writes each access line when the response is done

    log = live_server.log()[start:]
    assert "/v1/key/***/projects/1/formList" in log, "the calls above were logged here"
    assert "/f/***/hh" in log, "the web form's pages were logged here"
    assert "Exception on /v1/key/***/" in log, "the forced error was logged here"
    assert "Traceback" in log
    for secret in [PASSWORD, WRONG_PASSWORD, phone.token, revoked.token, *bearers]:
        for form in {secret, quote(secret), quote(secret, safe=""), secret[:24]}:
            assert form not in log, f"a secret ({secret[:4]}…) is in the server log"
