"""The support plan pages in a real browser at 390×844 and 1280×800: an organisation added, a
plan made in bulk from the deficiency list, an item marked delivered, and the plan's tables,
each fitting a phone's screen; screenshots of every step."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_staff_pages import follow, sign_in
from tests.support.browser import Camera


def test_an_officer_adds_an_organisation_plans_in_bulk_and_marks_an_item_delivered(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    page.goto("/organisations?area=19603")
    page.fill("#organisation-form input[name=name]", "UBND xã Cam Tuyền")
    page.select_option("#organisation-form select[name=kind]", "commune_committee")
    follow(page, "#organisation-form button[type=submit]")
    expect(page.locator("table")).to_contain_text("UBND xã Cam Tuyền")
    camera.shoot(page, "organisations")

    page.goto("/plans?area=19603&period=2026")
    expect(page.locator("#pick-area option:checked")).to_contain_text("Xã Cam Tuyền")
    camera.shoot(page, "plan-empty")
    page.select_option("#bulk-indicator", ["water_source"])
    page.fill("#bulk-form input[name=planned_date]", "2026-01-31")
    follow(page, "#bulk-form button[type=submit]")
    expect(page.locator("table")).to_contain_text("1960301-002")
    camera.shoot(page, "plan-made")

    page.goto("/plans/overdue?area=19603&period=2026")
    expect(page.locator("table")).to_contain_text("1960301-002")
    camera.shoot(page, "overdue")

    page.goto("/plans?area=19603&period=2026")
    follow(page, "table tbody a")
    page.select_option("#item-form select[name=state]", "delivered")
    follow(page, "#item-form button[type=submit]")
    expect(page.locator("#item-form select[name=state] option:checked")).to_have_text("Đã hỗ trợ")
    camera.shoot(page, "item-delivered")

    page.goto("/plans/overdue?area=19603&period=2026")
    expect(page.locator("table tbody")).not_to_contain_text("1960301-002")
    for path in ("/plans/gap", "/plans/by-indicator", "/plans/by-organisation", "/plans/sponsored"):
        page.goto(f"{path}?area=19603&period=2026")
        expect(page.locator("#pick-area")).to_be_visible()
        camera.shoot(page, path.rsplit("/", 1)[1])
    page.goto("/plans/by-indicator?area=19603&period=2026")
    expect(page.locator("tr.total")).to_contain_text("1")
    assert camera.too_wide == {}
