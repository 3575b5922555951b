"""The records pages in a real browser at 390×844 and 1280×800: "Phiếu đã gửi" opens on every
form's records, a record shows the server's class with the phone's own fields folded away,
closing a form asks again, the audit log reads as sentences, and no page is wider than the
phone's screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_staff_pages import follow, sign_in
from tests.integration.test_web_access import SECOND_HOUSEHOLD
from tests.support.browser import Camera


def test_the_record_page_shows_the_servers_class_and_fits_a_phone(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    page.goto("/submissions")  # at 390 px the menu may be folded into one button
    expect(page.locator("select#form option:checked")).to_have_text("Tất cả biểu mẫu")
    expect(page.locator("table#submissions tbody tr")).to_have_count(3)
    camera.shoot(page, "submissions")
    follow(page, f'a[href="/submissions/household_survey/{SECOND_HOUSEHOLD}"]')
    expect(page.locator("#server-class")).to_have_text("Hộ nghèo")
    expect(page.locator("#comparison")).to_be_visible()
    technical = page.locator("details#technical-fields")
    expect(technical.locator("dl").first).to_be_hidden()
    camera.shoot(page, "record")
    technical.locator("summary").click()
    expect(technical.locator("dl").first).to_be_visible()
    camera.shoot(page, "record-technical-fields")
    page.goto(f"/submissions/household_survey/{SECOND_HOUSEHOLD}?lang=en")
    expect(page.locator("#server-class")).to_have_text("Poor")
    camera.shoot(page, "record-en")
    page.goto("/?lang=vi")
    assert camera.too_wide == {}


def test_closing_a_form_asks_again_and_the_audit_log_reads_as_sentences(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "admin@tinh.vn")
    page.goto("/forms/household_survey")
    confirm = page.locator('#close-form button[value="close"]')
    expect(confirm).to_be_hidden()
    page.locator("#close-form summary").click()
    expect(confirm).to_be_visible()
    expect(page.locator("#close-form")).to_contain_text(
        "Điện thoại sẽ không gửi được phiếu này nữa"
    )
    camera.shoot(page, "form-close-confirmation")
    page.goto("/audit")
    expect(page.locator(".in-words").first).to_have_text("Đăng nhập vào trang")
    camera.shoot(page, "audit")
    assert camera.too_wide == {}
