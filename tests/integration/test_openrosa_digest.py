"""The plain /formList and /submission paths with HTTP Digest (qop=auth), as Collect answers a
challenge on http:// servers (openrosa.md §4.1–§4.2)."""

from __future__ import annotations

import time

import pytest
import requests
from flask import Flask
from requests.auth import HTTPDigestAuth
from sqlalchemy.orm import Session

from server.openrosa import digest
from server.services import app_users
from tests.conftest import TEST_SECRET
from tests.support.collect import CollectClient, instance_xml, parse_form_list, with_device_id
from tests.support.factories import REALM, make_app_user, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form


@pytest.fixture
def login_and_token(app: Flask, session: Session) -> tuple[str, str]:
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session, name="Trần Thị Bình")
    return new.login, new.token


def test_an_unauthenticated_request_gets_a_digest_challenge_collect_can_answer(
    live_server: LiveServer, login_and_token: tuple[str, str]
) -> None:
    response = requests.get(with_device_id(f"{live_server.base_url}/formList"), timeout=10)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Digest ")
    assert 'qop="auth"' in challenge
    assert "auth-int" not in challenge
    assert f'realm="{REALM}"' in challenge
    assert b"OpenRosaResponse" in response.content


def test_a_phone_with_login_and_token_lists_downloads_and_submits(
    live_server: LiveServer, login_and_token: tuple[str, str]
) -> None:
    login, token = login_and_token
    assert login == "tran-thi-binh"
    phone = CollectClient(live_server.base_url, auth=HTTPDigestAuth(login, token))

    [entry] = parse_form_list(phone.form_list().content)
    assert entry["downloadUrl"] == f"{live_server.base_url}/forms/hh.xml"
    assert phone.get(entry["downloadUrl"]).status_code == 200
    upload = phone.submit(instance_xml("hh"))
    assert [r.status_code for r in upload.responses] == [204, 201]


def test_a_wrong_password_or_a_revoked_phone_is_challenged_again(
    live_server: LiveServer, login_and_token: tuple[str, str], session: Session
) -> None:
    login, token = login_and_token
    wrong = CollectClient(live_server.base_url, auth=HTTPDigestAuth(login, token[:-1] + "?"))
    assert wrong.form_list().status_code == 401

    app_users.revoke_app_user(session, 1, login)
    session.commit()
    revoked = CollectClient(live_server.base_url, auth=HTTPDigestAuth(login, token))
    assert revoked.form_list().status_code == 401


def test_an_expired_nonce_is_answered_with_a_stale_challenge(
    live_server: LiveServer, login_and_token: tuple[str, str]
) -> None:
    login, token = login_and_token
    old_nonce = digest.make_nonce(TEST_SECRET.encode(), now=time.time() - 3 * 86400)
    uri = "/formList?deviceID=collect%3Aold"
    creds = digest.DigestCredentials(login, REALM, old_nonce, uri, "", "auth", "00000001", "c0ffee")
    ha1 = app_users.digest_ha1(login, REALM, token)
    answer = digest.expected_response(ha1, "GET", creds)
    header = (
        f'Digest username="{login}", realm="{REALM}", nonce="{old_nonce}", uri="{uri}", '
        f'response="{answer}", qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5'
    )
    response = requests.get(
        f"{live_server.base_url}{uri}", headers={"Authorization": header}, timeout=10
    )
    assert response.status_code == 401
    assert "stale=true" in response.headers["WWW-Authenticate"]
