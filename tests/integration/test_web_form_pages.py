"""The web form's pages and files over real HTTP against `rasoat serve`: the page per form for a
cadre's link, pointing at the same OpenRosa URLs the phone uses; the bundle's hashed files
cached for good and sent compressed; the service worker; a clear answer when the bundle was
never built."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.services.app_users import revoke_app_user
from tests.conftest import server_env
from tests.integration.test_web_access import PASSWORD, Browser, signed_in
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer, start_server
from tests.support.web_form import make_commune_officer, make_staff, require_bundle
from tests.support.xlsforms import xlsform

ASSETS = REPO_ROOT / "webform" / "dist"


@pytest.fixture
def site(app: Flask, session: Session, live_server: LiveServer) -> str:
    require_bundle()
    make_areas(session)
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    return live_server.base_url


def page_config(html: str) -> dict[str, str]:
    match = re.search(r'<script type="application/json" id="webform-config">(.*?)</script>', html)
    assert match, html[:500]
    config: dict[str, str] = json.loads(match.group(1))
    return config


def test_a_cadres_link_opens_the_form_wired_to_the_phones_own_openrosa_urls(
    site: str, session: Session
) -> None:
    cadre = make_app_user(session, area_code="19603")
    response = requests.get(f"{site}/f/{cadre.token}/household_survey", timeout=20)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert '<html lang="vi">' in response.text
    config = page_config(response.text)
    prefix = f"/v1/key/{cadre.token}/projects/1"
    assert config["formUrl"] == f"{prefix}/forms/household_survey.xml"
    assert config["submissionUrl"] == f"{prefix}/submission"
    villages = requests.get(f"{site}{config['attachmentsBase']}villages.csv", timeout=20)
    assert villages.status_code == 200
    assert "1960301,Thôn Bản Chùa" in villages.text, "the cadre's own villages, as on a phone"
    for src in re.findall(r'(?:src|href)="(/webform/assets/[^"]+)"', response.text):
        assert requests.get(site + src, timeout=20).status_code == 200


def test_a_cadres_link_lists_the_forms_the_phone_would_list(site: str, session: Session) -> None:
    cadre = make_app_user(session, area_code="19603", form_ids=["followup_visit"])
    page = requests.get(f"{site}/f/{cadre.token}", timeout=20)

    assert page.status_code == 200
    assert re.findall(r'href="/f/[^/"]+/([^"]+)"', page.text) == ["followup_visit"]
    refused = requests.get(f"{site}/f/{cadre.token}/household_survey", timeout=20)
    assert refused.status_code == 403


@pytest.mark.parametrize("case", ["unknown token", "revoked token", "unknown form"])
def test_a_link_that_no_longer_works_is_refused_with_a_page(
    site: str, session: Session, case: str
) -> None:
    cadre = make_app_user(session)
    token, form = cadre.token, "household_survey"
    if case == "unknown token":
        token = "x" * 64
    elif case == "revoked token":
        revoke_app_user(session, 1, cadre.login)
        session.commit()
    else:
        form = "no_such_form"

    response = requests.get(f"{site}/f/{token}/{form}", timeout=20)

    assert response.status_code == (404 if case == "unknown form" else 403)
    assert "text/html" in response.headers["Content-Type"]


def test_the_bundles_files_are_cached_for_good_and_sent_compressed(site: str) -> None:
    manifest = json.loads((ASSETS / ".vite" / "manifest.json").read_text())
    entry = manifest["src/main.js"]["file"]
    url = f"{site}/webform/{entry}"
    raw = (ASSETS / entry).read_bytes()

    gzipped = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=20)
    brotli = requests.get(url, headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=20)
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=20)

    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.content == raw  # requests undoes the gzip
    assert brotli.headers["Content-Encoding"] == "br"
    assert brotli.raw.read() == (ASSETS / f"{entry}.br").read_bytes()
    assert "Content-Encoding" not in plain.headers
    assert plain.content == raw
    for response in (gzipped, brotli, plain):
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert "Accept-Encoding" in response.headers["Vary"]
    for name in ("nothing.js", "..%2F.vite%2Fmanifest.json"):
        assert requests.get(f"{site}/webform/assets/{name}", timeout=20).status_code == 404


def test_the_service_worker_keeps_every_file_the_page_starts_with(site: str) -> None:
    response = requests.get(f"{site}/f/sw.js", timeout=20)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    match = re.search(r"const ASSETS = (\[.*?\]);", response.text)
    assert match
    assets = json.loads(match.group(1))
    manifest = json.loads((ASSETS / ".vite" / "manifest.json").read_text())
    assert f"/webform/{manifest['src/main.js']['file']}" in assets
    assert all(requests.get(site + a, timeout=20).status_code == 200 for a in assets)


def test_a_server_whose_web_form_was_never_built_says_how_to_build_it(
    site: str,
    session: Session,
    database_url: str,
    data_dir: Path,
    empty_forms_dir: Path,
    tmp_path: Path,
) -> None:
    cadre = make_app_user(session)
    env = {
        **server_env(database_url, data_dir, empty_forms_dir),
        "RASOAT_WEBFORM_DIR": str(tmp_path / "never-built"),
    }
    server = start_server(env, tmp_path)
    try:
        response = requests.get(f"{server.base_url}/f/{cadre.token}/household_survey", timeout=20)
        collect = requests.get(
            f"{server.base_url}/v1/key/{cadre.token}/projects/1/formList", timeout=20
        )
    finally:
        server.stop()

    assert response.status_code == 503
    assert "npm ci &amp;&amp; npm run build" in response.text
    assert collect.status_code == 200, "phones are not affected"


def test_a_form_title_with_markup_is_shown_as_text(app: Flask, site: str, session: Session) -> None:
    survey = [["type", "name", "label"], ["text", "q", "Câu hỏi"]]
    publish_form(app, session, xlsform(survey, form_id="quote_test", title="Nhà 'mới' </script>"))
    cadre = make_app_user(session)

    response = requests.get(f"{site}/f/{cadre.token}/quote_test", timeout=20)

    assert response.status_code == 200
    title = response.text.split("<title>")[1].split("</title>")[0]
    assert "Nhà &#39;mới&#39; &lt;/script&gt;" in title
    assert page_config(response.text)["formUrl"].endswith("/forms/quote_test.xml")


def test_an_officer_fills_forms_as_their_own_app_user_scoped_to_their_area(
    site: str, session: Session
) -> None:
    officer = make_commune_officer(session, password=PASSWORD)
    make_staff(session, "xem@camlo.vn", "Người xem", Role.VIEWER, "468", password=PASSWORD)
    browser = signed_in(site, "tuyen@camlo.vn")

    page = browser.get("/f/staff/household_survey")
    again = browser.get("/f/staff/household_survey")

    assert page.status_code == 200
    config = page_config(page.text)
    assert config == page_config(again.text), "the same app user and token every time"
    prefix = config["formUrl"].removesuffix("/forms/household_survey.xml")
    villages = requests.get(f"{site}{config['attachmentsBase']}villages.csv", timeout=20)
    communes = {row.split(",")[2] for row in villages.text.splitlines()[1:]}
    assert communes == {"19603"}, "the officer's own commune only"
    form_list = requests.get(f"{site}{prefix}/formList", timeout=20)
    assert "household_survey" in form_list.text
    assert browser.get("/f/staff").status_code == 200
    assert signed_in(site, "xem@camlo.vn").get("/f/staff/household_survey").status_code == 403
    assert Browser(site).get("/f/staff/household_survey").status_code == 302

    revoke_app_user(session, 1, f"web.{officer.id}")  # on the phones page, like any phone
    session.commit()
    assert browser.get("/f/staff/household_survey").status_code == 403
    assert requests.get(f"{site}{prefix}/formList", timeout=20).status_code == 403
