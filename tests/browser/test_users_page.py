"""The Users page in a real browser (headless Chromium) against `rasoat serve`: an administrator
creates an account on a 390 px phone and on a laptop, the new person signs in with the
one-time password the page showed, and once disabled is sent to the sign-in page on their next
click. Screenshots at both sizes in test-artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_staff_pages import follow, sign_in
from tests.support.browser import DESKTOP, PHONE, Camera, follow_menu

ADMIN = "admin@tinh.vn"


def create_account(page: Page, email: str, role_label: str, area_label: str) -> str:
    """Fill the page's form (no password: the server makes one up) and read what it shows."""
    page.goto("/users")
    page.fill('#new-person input[name="email"]', email)
    page.fill('#new-person input[name="name"]', "Nguyễn Thị Mới")
    page.select_option('#new-person select[name="role"]', label=role_label)
    page.select_option('#new-person select[name="area"]', label=area_label)
    follow(page, '#new-person button[type="submit"]')
    shown = page.locator("#one-time-password")
    expect(shown).to_be_visible()
    return shown.inner_text().strip()


def sign_in_as(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    follow(page, 'main button[type="submit"]')
    page.wait_for_url(re.compile(r"/$"))


def test_an_administrator_creates_officers_on_the_page_and_each_signs_in(
    page: Page, chromium: Browser, site: str, camera: Camera
) -> None:
    sign_in(page, ADMIN)
    page.goto("/users")
    expect(page.locator("nav")).to_contain_text("Người dùng")
    camera.shoot(page, "users")
    # Every role this administrator (limited to province 45) may grant: those below their own.
    made = [
        ("xa.moi@camthuy.vn", "Cán bộ cấp xã", "— — Xã Cam Thủy", PHONE),
        ("tinh.moi@tinh.vn", "Cán bộ cấp trên (tỉnh/huyện)", "Tỉnh Quảng Trị", DESKTOP),
        ("xem.moi@camlo.vn", "Người xem (chỉ bảng tổng hợp)", "— Huyện Cam Lộ", PHONE),
    ]
    for email, role, area, size in made:
        page.set_viewport_size(size)
        password = create_account(page, email, role, area)
        camera.shoot(page, f"created-{email.split('@')[0]}")

        person = chromium.new_context(base_url=site, viewport=size).new_page()
        sign_in_as(person, email, password)
        if role.startswith("Người xem"):
            # A viewer reads the tables and manages no one: no Users page in the menu.
            expect(person.locator('header nav a[href="/users"]')).to_have_count(0)
            follow_menu(person, "/reports/summary")
            expect(person.locator("h1")).to_contain_text("Tổng hợp")
        else:
            follow_menu(person, "/users")
            expect(person.locator("h1")).to_have_text("Người dùng")
        camera.shoot(person, f"signed-in-as-{email.split('@')[0]}")
        person.context.close()

    page.goto("/users")
    rows = page.locator("#people tbody tr")
    expect(rows.filter(has_text="xa.moi@camthuy.vn")).to_contain_text("Xã Cam Thủy")
    assert camera.too_wide == {}


def test_a_person_disabled_on_the_page_is_sent_to_sign_in_on_their_next_click(
    page: Page, chromium: Browser, site: str, camera: Camera
) -> None:
    sign_in(page, ADMIN)
    email = "se.khoa@camthuy.vn"
    password = create_account(page, email, "Cán bộ cấp xã", "— — Xã Cam Thủy")
    person = chromium.new_context(base_url=site, viewport=PHONE).new_page()
    sign_in_as(person, email, password)

    page.goto("/users")
    row = page.locator("#people tbody tr", has_text=email)
    row.locator("summary").click()
    camera.shoot(page, "users-row-opened")
    with page.expect_navigation():
        row.get_by_role("button", name="Khóa tài khoản").click()
    expect(page.locator(".flashed")).to_contain_text(email)
    expect(page.locator("#people tbody tr", has_text=email)).to_contain_text("đã khóa")

    person.goto("/account")
    expect(person).to_have_url(re.compile(r"/login"))
    camera.shoot(person, "disabled-person-next-click")
    person.context.close()
    assert camera.too_wide == {}
