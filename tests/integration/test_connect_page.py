"""The "Kết nối Excel / Power BI" page over real HTTP: each person's own feed addresses (the
tables for everyone, each form's records for those who read records), the sign-in and the
steps in Vietnamese, a link from the menu, and addresses that answer when pasted as given."""

from __future__ import annotations

import html
import re

import requests

from tests.integration import test_web_access
from tests.integration.test_central_api import basic
from tests.integration.test_web_access import signed_in
from tests.support.html_page import read_page

site = test_web_access.site  # areas, the household survey, its records and people
TUYEN, VIEWER = "tuyen@camlo.vn", "xem@camlo.vn"


def _addresses(page: str) -> list[str]:
    return [
        html.unescape(v)
        for v in re.findall(r'class="feed-url" type="text" readonly[^>]*value="([^"]+)"', page)
    ]


def test_an_officer_is_given_the_tables_and_each_form_s_feed_with_the_steps_in_vietnamese(
    site: str,
) -> None:
    page = signed_in(site, TUYEN).get("/connect")
    assert page.status_code == 200
    text = page.text
    assert _addresses(text) == [
        f"{site}/v1/projects/1/reports.svc",
        f"{site}/v1/projects/1/forms/household_survey.svc",
    ]
    assert "<h1>Kết nối Excel / Power BI</h1>" in text
    assert f"<code>{TUYEN}</code>" in text  # the user name to give, their own
    assert "Từ Nguồn cấp OData" in text and "Nguồn cấp OData (OData feed)" in text  # both tools
    assert "<code>ThieuHut</code>" in text  # an officer's lists are in their feed
    assert "area eq '19603' and period eq 2026" in text  # their commune, the latest year
    for address in _addresses(text):  # as pasted into Excel, with the same e-mail and password
        answer = requests.get(address, headers=basic(TUYEN), timeout=30)
        assert answer.status_code == 200, address
        assert answer.json()["value"], address


def test_a_viewer_is_given_the_tables_only(site: str) -> None:
    text = signed_in(site, VIEWER).get("/connect").text
    assert _addresses(text) == [f"{site}/v1/projects/1/reports.svc"]
    assert "<code>TongHop</code>" in text and "<code>ThieuHut</code>" not in text
    names = [
        e["name"]
        for e in requests.get(_addresses(text)[0], headers=basic(VIEWER), timeout=30).json()[
            "value"
        ]
    ]
    assert "ThieuHut" not in names


def test_the_menu_links_to_the_page_and_it_comes_in_english_on_request(site: str) -> None:
    browser = signed_in(site, VIEWER)
    assert "/connect" in read_page(browser.get("/").text).links
    english = browser.get("/connect?lang=en").text
    assert "<h1>Connect Excel / Power BI</h1>" in english and "From OData Feed" in english
