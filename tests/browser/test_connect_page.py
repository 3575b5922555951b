"""The "Kết nối Excel / Power BI" page in a real browser: reached from the menu (the phone's
menu button at 390 px), the feed addresses ready to copy, no sideways scrolling on a phone;
saved as screenshots at phone and desktop size (test-artifacts/screenshots/)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_staff_pages import sign_in
from tests.support.browser import Camera, follow_menu


def test_an_officer_finds_the_excel_page_in_the_menu_and_copies_a_feed_address(
    page: Page, camera: Camera, site: str
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    follow_menu(page, "/connect")
    expect(page.locator("h1")).to_have_text("Kết nối Excel / Power BI")
    reports = page.locator("#feed-reports")
    expect(reports).to_have_value(f"{site}/v1/projects/1/reports.svc")
    expect(page.locator("#excel ol li")).to_have_count(6)
    expect(page.locator("#power-bi ol li")).to_have_count(5)
    camera.shoot(page, "connect")
    assert camera.too_wide == {}
