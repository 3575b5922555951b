"""The table and list pages in a real browser at 390×844 and 1280×800: the area and year
pickers on every page, numbers read back the Vietnamese way, the action list as cards on a
phone with filters that work, and no page wider than the phone's screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_staff_pages import follow, sign_in
from tests.integration.test_table_pickers import lists_site  # noqa: F401  (a fixture)
from tests.support.browser import DESKTOP, PHONE, Camera, follow_menu

YEARLY = ("/reports/summary", "/reports/commitments", "/lists/deficiencies", "/lists/exited")
BY_DATE = ("/reports/followup", "/lists/due-visits", "/lists/relapse-risk")


def test_every_table_and_list_page_has_its_pickers_and_fits_a_phone(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "huyen@camlo.vn")
    for path in (*YEARLY, *BY_DATE):
        page.goto(path)
        area = page.locator("#pick-area")
        expect(area).to_be_visible()
        assert area.locator("option:checked").inner_text().strip() == "Huyện Cam Lộ", path
        if path in YEARLY:
            expect(page.locator("#pick-period option:checked")).to_have_text("2026")
        camera.shoot(page)

    # A choice made on one page is the choice of the next.
    page.goto("/reports/summary")
    page.select_option("#pick-area", "19603")
    page.select_option("#pick-period", "2025")
    follow(page, "form.pickers button[type=submit]")
    follow_menu(page, "/lists/deficiencies")
    expect(page.locator("#pick-area option:checked")).to_contain_text("Xã Cam Tuyền")
    expect(page.locator("#pick-period option:checked")).to_have_text("2025")
    assert camera.too_wide == {}


def test_the_summary_writes_numbers_the_vietnamese_way(page: Page, camera: Camera) -> None:
    sign_in(page, "huyen@camlo.vn")
    page.goto("/reports/summary?area=468&period=2026")
    total = page.locator("tr.total td").nth(1).inner_text().strip()
    assert re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", total), total
    rates = [t.strip() for t in page.locator("td").all_inner_texts() if "%" in t]
    assert rates and all(re.fullmatch(r"[0-9]{1,3},[0-9]\s%", r) for r in rates), rates
    camera.shoot(page, "summary-vi")
    page.goto("/reports/summary?area=468&period=2026&lang=en")
    total_en = page.locator("tr.total td").nth(1).inner_text().strip()
    assert total_en == total.replace(".", ","), total_en
    camera.shoot(page, "summary-en")
    page.goto("/?lang=vi")


def test_the_action_list_is_a_card_per_household_on_a_phone_with_working_filters(
    page: Page,
    camera: Camera,
    lists_site: str,  # noqa: F811
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    page.set_viewport_size(PHONE)
    page.goto("/lists/deficiencies?period=2026")
    cards = page.locator("tr.household")
    expect(cards).to_have_count(50)
    first = cards.first
    assert first.evaluate("tr => getComputedStyle(tr).display") == "block", "a card"
    box = first.bounding_box()
    assert box and box["width"] <= PHONE["width"], box
    expect(page.locator("table.households thead")).to_be_hidden()
    expect(first.locator(".code")).to_be_visible()
    expect(first.locator(".head")).to_be_visible()
    camera.shoot(page, "deficiencies-cards")

    page.select_option("#pick-group", "merit")
    follow(page, "form.pickers button[type=submit]")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".code")).to_have_text("1960301-100")

    page.select_option("#pick-group", "")
    page.select_option("#pick-village", "1960302")
    follow(page, "form.pickers button[type=submit]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Nguồn nước sinh hoạt")
    expect(cards.first).to_contain_text("đồng")
    camera.shoot(page, "deficiencies-filtered")

    page.select_option("#pick-village", "")
    follow(page, "form.pickers button[type=submit]")
    follow(page, 'a[rel="next"]')
    expect(page.locator(".pager")).to_contain_text("Trang 2 / 2")
    expect(cards).to_have_count(7)
    page.set_viewport_size(DESKTOP)
    assert cards.first.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert camera.too_wide == {}
