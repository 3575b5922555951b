"""Each surface answers a refusal in its own shape from the one error catalogue: the staff pages
and the web form with an HTML page, the JSON API with problem JSON (ODK Central's codes),
OpenRosa with an OpenRosaResponse a phone shows to the cadre. No surface's handler answers for
another's routes."""

from __future__ import annotations

import io
from xml.etree.ElementTree import fromstring

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from server.domain.vocabulary import Role
from server.services.users import create_user
from server.storage.transaction import writing
from server.storage.users import find_user_by_email
from tests.support.factories import make_areas

PASSWORD = "mật-khẩu-dài-đủ"
UNKNOWN_TOKEN = "Q" * 64
OPENROSA_NS = "{http://openrosa.org/http/response}"


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    make_areas(session)
    with writing(session):
        for email, role in (("admin@tinh.vn", Role.ADMINISTRATOR), ("xem@camlo.vn", Role.VIEWER)):
            create_user(session, email=email, display_name=email, password=PASSWORD, role=role)
    return app.test_client()


def signed_in_as(client: FlaskClient, session: Session, email: str) -> FlaskClient:
    """The pages' session cookie of that person (as Flask-Login writes it at sign-in: the id and
    the person's key version, web/session.py)."""
    user = find_user_by_email(session, email)
    assert user is not None
    with client.session_transaction() as cookie:
        cookie["_user_id"] = f"{user.id}:{user.key_version}"
        cookie["_fresh"] = True
    return client


def assert_error_page(response: TestResponse, status: int, text: str) -> None:
    assert (response.status_code, response.mimetype) == (status, "text/html")
    body = response.get_data(as_text=True)
    assert "<html" in body.lower() and text in body


def test_a_page_refused_for_the_role_is_an_html_page_from_the_catalogue(
    client: FlaskClient, session: Session
) -> None:
    page = signed_in_as(client, session, "xem@camlo.vn").get("/phones")
    assert_error_page(page, 403, "Your role does not allow this page.")


def test_a_page_for_something_unknown_is_an_html_page_with_the_catalogues_message(
    client: FlaskClient, session: Session
) -> None:
    page = signed_in_as(client, session, "admin@tinh.vn").get("/forms/no_such_form")
    assert_error_page(page, 404, "form no_such_form not found")
    unknown_list = client.get("/lists/no-such-list")
    assert_error_page(unknown_list, 404, "list no-such-list not found")


def test_a_page_refused_by_the_framework_is_the_same_html_page(
    client: FlaskClient, session: Session
) -> None:
    page = signed_in_as(client, session, "admin@tinh.vn").post("/logout")  # no CSRF token
    assert_error_page(page, 400, "CSRF")


def test_a_web_form_link_with_an_unknown_token_is_an_html_page(client: FlaskClient) -> None:
    assert_error_page(client.get(f"/f/{UNKNOWN_TOKEN}"), 403, "Scan a new QR code")


def test_the_api_answers_refusals_as_problem_json(client: FlaskClient) -> None:
    unsigned = client.get("/v1/reports/summary?area=468&period=2026")
    assert (unsigned.status_code, unsigned.mimetype) == (401, "application/json")
    assert unsigned.get_json()["code"] == 401.2

    signed = client.post("/v1/sessions", json={"email": "admin@tinh.vn", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    unknown = client.get("/v1/reports/summary?area=999&period=2026", headers=auth)
    assert (unknown.status_code, unknown.mimetype) == (404, "application/json")
    assert unknown.get_json()["code"] == 404.1
    assert unknown.get_json()["details"] == {"error": "not_found"}
    assert "area 999 not found" in unknown.get_json()["message"]

    big = io.BytesIO(b"x" * (app_limit(client) + 1))  # Werkzeug refuses it while parsing
    too_large = client.post("/v1/commitments", headers=auth, data={"file": (big, "chi_tieu.csv")})
    assert (too_large.status_code, too_large.mimetype) == (413, "application/json")
    assert too_large.get_json()["code"] == 413.0


def app_limit(client: FlaskClient) -> int:
    return int(client.application.config["MAX_CONTENT_LENGTH"])


def openrosa_message(body: bytes) -> str:
    return fromstring(body).findtext(f"{OPENROSA_NS}message") or ""


def test_openrosa_answers_refusals_as_an_openrosa_response_for_the_phone(
    client: FlaskClient,
) -> None:
    by_token = client.get(f"/v1/key/{UNKNOWN_TOKEN}/projects/1/formList")
    assert (by_token.status_code, by_token.mimetype) == (403, "text/xml")
    assert "Scan a new QR code" in openrosa_message(by_token.data)

    by_digest = client.get("/formList")
    assert (by_digest.status_code, by_digest.mimetype) == (401, "text/xml")
    assert by_digest.headers["WWW-Authenticate"].startswith("Digest ")
    assert openrosa_message(by_digest.data)


@pytest.mark.parametrize(
    "path",
    ["/v1/no-such-thing", "/v1/projects/1/no-such-list", "/v1/", "/v1/key/" + UNKNOWN_TOKEN + "/x"],
)
def test_an_unknown_api_path_answers_problem_json_not_a_page(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert (response.status_code, response.mimetype) == (404, "application/json")
    assert response.get_json()["code"] == 404.1
    assert response.get_json()["message"]


def test_a_wrong_method_on_an_api_route_answers_problem_json_with_allow(
    client: FlaskClient,
) -> None:
    for method, path in (("GET", "/v1/sessions"), ("DELETE", "/v1/health")):
        response = client.open(path, method=method)
        assert (response.status_code, response.mimetype) == (405, "application/json")
        assert response.get_json()["code"] == 405.1
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


def test_a_path_outside_the_api_is_still_answered_as_before(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
