"""Trying a draft over real HTTP against `rasoat serve`: the web form page in test mode for the
people who may see the forms pages, wired to the draft's XForm and media (the village list of
the signed-in person's area), kept by no cache, and gone once the draft is published."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from tests.integration.test_web_access import (
    DRAFT,
    PASSWORD,
    Browser,
    csrf_of,
    signed_in,
    site,  # noqa: F401  (a fixture)
)
from tests.integration.test_web_form_pages import page_config
from tests.support.web_form import make_staff, require_bundle

TRY = f"/forms/{DRAFT}/draft/try"


@pytest.fixture(autouse=True)
def bundle() -> None:
    require_bundle()


def village_codes(browser: Browser, base: str) -> list[str]:
    response = browser.get(f"{base}villages.csv")
    assert response.status_code == 200, response.text[:300]
    return [row["name"] for row in csv.DictReader(io.StringIO(response.text))]


def test_an_administrator_tries_the_draft_in_the_web_form_in_test_mode(site: str) -> None:  # noqa: F811
    admin = signed_in(site, "admin@tinh.vn")
    form_page = admin.get(f"/forms/{DRAFT}").text
    assert f'href="{TRY}"' in form_page

    page = admin.get(TRY)

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Thử bản nháp — phiếu không được lưu" in page.text
    assert 'id="outbox"' not in page.text and 'id="send-now"' not in page.text
    config = page_config(page.text)
    assert config["trial"] is True
    assert "submissionUrl" not in config and "serviceWorker" not in config
    xform = admin.get(config["formUrl"])
    assert xform.status_code == 200 and xform.headers["Cache-Control"] == "no-store"
    assert f'id="{DRAFT}"' in xform.text and "jr://file-csv/villages.csv" in xform.text
    assert {"1960301", "1961201"} <= set(village_codes(admin, config["attachmentsBase"]))


def test_the_village_list_of_the_draft_is_the_signed_in_persons_area(
    site: str,  # noqa: F811
    session: Session,
) -> None:
    make_staff(
        session,
        "camhieu@camlo.vn",
        "Quản trị Cam Hiếu",
        Role.ADMINISTRATOR,
        "19612",
        password=PASSWORD,
    )
    admin = signed_in(site, "camhieu@camlo.vn")
    config = page_config(admin.get(TRY).text)

    villages = village_codes(admin, config["attachmentsBase"])

    assert sorted(villages) == ["1961201", "1961202", "1961203"]
    assert admin.get(f"{config['attachmentsBase']}none.csv").status_code == 404


def test_only_the_people_of_the_forms_pages_may_try_a_draft(site: str) -> None:  # noqa: F811
    commune = signed_in(site, "tuyen@camlo.vn")
    for path in (TRY, f"{TRY}/form.xml", f"{TRY}/attachments/villages.csv"):
        assert commune.get(path).status_code == 403, path
        assert Browser(site).get(path).status_code == 302, path
    assert signed_in(site, "huyen@camlo.vn").get(f"{TRY}/form.xml").status_code == 200


def test_there_is_nothing_to_try_without_a_draft(site: str) -> None:  # noqa: F811
    admin = signed_in(site, "admin@tinh.vn")
    assert admin.get("/forms/household_survey/draft/try").status_code == 404
    assert "/draft/try" not in admin.get("/forms/household_survey").text
    assert admin.get("/forms/khong_co/draft/try").status_code == 404

    token = csrf_of(admin.get(f"/forms/{DRAFT}").content)
    published = admin.post(f"/forms/{DRAFT}", {"action": "publish", "csrf_token": token})
    assert published.status_code == 302

    assert admin.get(TRY).status_code == 404
    assert admin.get(f"{TRY}/form.xml").status_code == 404
