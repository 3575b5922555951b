"""The pages, over real HTTP against `rasoat serve`: sign-in with CSRF and a rate limit, every
route × role × area answering what it should, answers escaped, personal data audited."""

from __future__ import annotations

import re

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.extensions import blob_store
from server.services.submissions import IncomingSubmission, receive_submission
from server.services.users import create_user
from server.storage.app_users import find_by_login
from server.storage.models import AuditEvent
from tests.support.collect import CollectClient, parse_form_list
from tests.support.factories import make_app_user, make_areas, publish_form, stage_draft
from tests.support.live_server import LiveServer
from tests.support.surveys import NOT_POOR, POOR, survey
from tests.support.xlsforms import draft_to_try

PASSWORD = "mật-khẩu-thật-dài"
# The record of household 1960301-002 (village of commune 19603), for routes that name it.
SECOND_HOUSEHOLD = "uuid:6a1f0c3e-2b7d-4c1e-9f0a-5d2e8b7c4a19"
DRAFT = "ban_nhap"  # a form uploaded as a draft, never published
PEOPLE = {  # email: (role, area)
    "admin@tinh.vn": (Role.ADMINISTRATOR, None),
    "huyen@camlo.vn": (Role.UPPER_OFFICER, "468"),
    "tuyen@camlo.vn": (Role.COMMUNE_OFFICER, "19603"),
    "hieu@camlo.vn": (Role.COMMUNE_OFFICER, "19612"),
    "xem@camlo.vn": (Role.VIEWER, "468"),
}


class Browser:
    """A person's cookie jar against the live server (pages keep no state between people)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=20)

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=20)


@pytest.fixture
def site(app: Flask, session: Session, live_server: LiveServer) -> str:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    stage_draft(app, session, draft_to_try(DRAFT), filename=f"{DRAFT}.xlsx")
    phone = find_by_login(session, make_app_user(session).login)
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):
        xml, _ = survey(answers, review_year=year, head_name="<script>alert('x')</script>")
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    xml, _ = survey(POOR, household_code="1960301-002", instance_id=SECOND_HOUSEHOLD)
    receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    for email, (role, area) in PEOPLE.items():
        create_user(
            session, email=email, display_name=email, password=PASSWORD, role=role, area_code=area
        )
    session.commit()
    return live_server.base_url


def csrf_of(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page[:500]
    return match.group(1).decode()


def signed_in(site: str, email: str) -> Browser:
    browser = Browser(site)
    token = csrf_of(browser.get("/login").content)
    response = browser.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text[:400]
    return browser


def test_a_form_without_its_csrf_token_is_refused(site: str) -> None:
    response = Browser(site).post("/login", {"email": "admin@tinh.vn", "password": PASSWORD})
    assert response.status_code == 400
    phones = signed_in(site, "admin@tinh.vn").post("/phones", {"name": "Máy mới"})
    assert phones.status_code == 400


def test_sign_in_is_limited_after_five_wrong_passwords(site: str) -> None:
    browser = Browser(site)
    statuses = []
    for _ in range(6):
        token = csrf_of(browser.get("/login").content)
        statuses.append(
            browser.post(
                "/login", {"email": "huyen@camlo.vn", "password": "sai", "csrf_token": token}
            ).status_code
        )
    token = csrf_of(browser.get("/login").content)
    right_but_locked = browser.post(
        "/login", {"email": "huyen@camlo.vn", "password": PASSWORD, "csrf_token": token}
    )
    assert statuses == [401] * 5 + [429]
    assert right_but_locked.status_code == 429
    assert "15 phút" in right_but_locked.text


def test_the_session_cookie_is_http_only_and_same_site(site: str) -> None:
    browser = Browser(site)
    token = csrf_of(browser.get("/login").content)
    response = browser.post(
        "/login", {"email": "admin@tinh.vn", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


ROUTES = [  # (path, who gets 200; others 403, or 302 to the sign-in page when signed out)
    ("/", set(PEOPLE)),
    ("/account", set(PEOPLE)),
    ("/connect", set(PEOPLE)),  # the feeds: each person's own (test_connect_page)
    ("/users", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "hieu@camlo.vn"}),
    ("/reports/summary?area=468", {"admin@tinh.vn", "huyen@camlo.vn", "xem@camlo.vn"}),
    (
        "/reports/summary?area=19603",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/reports/summary?area=19612",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/reports/summary?area=19603&format=xlsx",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/reports/followup?area=19603",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/reports/commitments?area=19612&period=2026",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn", "xem@camlo.vn"},
    ),
    ("/lists/deficiencies?area=19603", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
    (
        "/lists/deficiencies?area=19612&format=csv",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"},
    ),
    ("/lists/due-visits?area=468", {"admin@tinh.vn", "huyen@camlo.vn"}),
    ("/lists/relapse-risk?area=19612", {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"}),
    ("/lists/exited?area=19603&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
    ("/phones", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "hieu@camlo.vn"}),
    ("/forms", {"admin@tinh.vn", "huyen@camlo.vn"}),
    ("/forms/household_survey", {"admin@tinh.vn", "huyen@camlo.vn"}),
    (f"/forms/{DRAFT}/draft/try", {"admin@tinh.vn", "huyen@camlo.vn"}),
    (f"/forms/{DRAFT}/draft/try/form.xml", {"admin@tinh.vn", "huyen@camlo.vn"}),
    (f"/forms/{DRAFT}/draft/try/attachments/villages.csv", {"admin@tinh.vn", "huyen@camlo.vn"}),
    ("/areas", set(PEOPLE)),
    ("/areas?code=468", {"admin@tinh.vn", "huyen@camlo.vn", "xem@camlo.vn"}),
    ("/areas?code=19603", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"}),
    ("/areas?code=19612", {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn", "xem@camlo.vn"}),
    ("/areas/import", {"admin@tinh.vn"}),
    (
        "/submissions?form=household_survey",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "hieu@camlo.vn"},
    ),
    (
        "/submissions?form=household_survey&area=19603",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"},
    ),
    (
        f"/submissions/household_survey/{SECOND_HOUSEHOLD}",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"},
    ),
    ("/f/staff", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "hieu@camlo.vn"}),
    (
        "/f/staff/household_survey",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "hieu@camlo.vn"},
    ),
    ("/audit", {"admin@tinh.vn"}),
    ("/audit?kind=sign_in&page=2", {"admin@tinh.vn"}),
    # Support plans: the organisations and the counts for anyone who sees the area; the lists
    # of households (plan items, gap, overdue, sponsored) for its officers only.
    (
        "/organisations?area=19603",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/organisations?area=19612&format=csv",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn", "xem@camlo.vn"},
    ),
    ("/plans?area=19603&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
    (
        "/plans?area=19612&period=2026&format=xlsx",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"},
    ),
    ("/plans/sheet?area=19603&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
    ("/plans/gap?area=19612&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"}),
    (
        "/plans/overdue?area=19603&period=2026&format=csv",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"},
    ),
    (
        "/plans/organisation-households?area=19603&period=2026",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"},
    ),
    (
        "/plans/sponsored?area=19612&period=2026",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"},
    ),
    (
        "/plans/by-indicator?area=468&period=2026",
        {"admin@tinh.vn", "huyen@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/plans/effect?area=19612&period=2025",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn", "xem@camlo.vn"},
    ),
    (
        "/plans/by-organisation?area=19603&period=2026&format=xlsx",
        {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn", "xem@camlo.vn"},
    ),
    # The commendation review lists households: officers of the area only.
    ("/commendation?area=19603&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
    (
        "/commendation/approved?area=19612&period=2026&format=xlsx",
        {"admin@tinh.vn", "huyen@camlo.vn", "hieu@camlo.vn"},
    ),
    ("/dialogues?area=19603&period=2026", {"admin@tinh.vn", "huyen@camlo.vn", "tuyen@camlo.vn"}),
]


def test_every_route_answers_each_role_and_area_as_it_should(site: str) -> None:
    people = {email: signed_in(site, email) for email in PEOPLE}
    anonymous = Browser(site)
    wrong = []
    for path, allowed in ROUTES:
        expected_anonymous = 200 if path == "/" else 302
        if (got := anonymous.get(path).status_code) != expected_anonymous:
            wrong.append(("anonymous", path, got))
        for email, browser in people.items():
            expected = 200 if email in allowed else 403
            if (got := browser.get(path).status_code) != expected:
                wrong.append((email, path, got))
    assert wrong == []


def test_answers_are_escaped_on_every_page(site: str) -> None:
    page = signed_in(site, "huyen@camlo.vn").get("/lists/exited?area=19603&period=2026")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


def test_viewing_and_downloading_a_list_is_written_to_the_audit_log(
    site: str, session: Session
) -> None:
    client = signed_in(site, "tuyen@camlo.vn")
    client.get("/lists/deficiencies?area=19603")
    client.get("/lists/deficiencies?area=19603&format=xlsx")
    session.rollback()
    events = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "download").order_by(AuditEvent.id)
    )
    assert list(events) == ["list deficiencies (view)", "list deficiencies (download)"]


def test_a_commune_officer_creates_a_phone_for_their_commune_and_sees_its_qr_code(
    site: str,
) -> None:
    client = signed_in(site, "tuyen@camlo.vn")
    token = csrf_of(client.get("/phones").content)
    created = client.post(
        "/phones", {"name": "Cán bộ Bản Chùa", "area": "19603", "csrf_token": token}
    )
    assert created.status_code == 200
    assert "data:image/svg+xml" in created.text
    assert "/v1/key/" in created.text
    elsewhere = client.post(
        "/phones", {"name": "Máy xã khác", "area": "19612", "csrf_token": token}
    )
    assert elsewhere.status_code == 403


def test_a_phone_is_given_a_village_of_the_officer_s_commune_and_only_the_forms_ticked(
    site: str, app: Flask, session: Session
) -> None:
    followup = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, followup.read_bytes(), filename=followup.name)
    session.commit()
    client = signed_in(site, "tuyen@camlo.vn")
    page = client.get("/phones").text
    assert 'value="1960301"' in page, "the commune's villages are offered"
    assert 'value="1961201"' not in page, "not the villages of the commune next door"
    assert 'value="followup_visit"' in page and 'value="household_survey"' in page
    token = csrf_of(page.encode())
    created = client.post(
        "/phones",
        {
            "name": "Cán bộ thôn Bản Chùa",
            "area": "1960301",
            "forms": "household_survey",
            "csrf_token": token,
        },
    )
    assert created.status_code == 200
    url = re.search(r"http://[^\s<\"]+/v1/key/[^\s<\"]+", created.text)
    assert url, created.text[:400]
    listed = parse_form_list(CollectClient(url.group(0)).form_list().content)
    assert [f["formID"] for f in listed] == ["household_survey"]
    phones = client.get("/phones").text
    assert "Thôn Bản Chùa" in phones and "household_survey" in phones


def test_pages_come_in_english_on_request(site: str) -> None:
    client = signed_in(site, "huyen@camlo.vn")
    assert "Tổng hợp" in client.get("/").text
    assert "Summary" in client.get("/?lang=en").text
    assert "Summary" in client.get("/reports/summary").text, "the choice is kept"
