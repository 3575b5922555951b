"""The commendation review and the policy dialogues in a real browser at 390×844 and
1280×800: the commune proposes a household that left poverty, the district declines it with a
note, the commune proposes it again and the district approves it, and it is in the signed
table; a dialogue is recorded with a follow-up line that becomes an item of the household's
plan. Each page fits a phone's screen; screenshots of every step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_staff_pages import follow, sign_in
from tests.support.browser import PHONE, Camera, within_the_security_policy

EXITED = "1960301-001"  # poor in 2025, not in 2026: left poverty in 2026
REVIEW = "/commendation?area=19603&period=2026"


@pytest.fixture
def district(chromium: Browser, site: str) -> Iterator[Page]:
    """A second person's browser: the district's upper officer."""
    context = chromium.new_context(base_url=site, viewport=PHONE)
    context.set_default_timeout(10_000)
    with within_the_security_policy(context):
        page = context.new_page()
        sign_in(page, "huyen@camlo.vn")
        yield page
    context.close()


def propose(page: Page, note: str) -> None:
    page.goto(REVIEW)
    page.select_option("#propose-household", EXITED)
    page.fill("#propose-form input[name=note]", note)
    follow(page, "#propose-form button[type=submit]")


def decide(page: Page, decision: str, note: str) -> None:
    page.goto(REVIEW)
    page.select_option("#decide-household", EXITED)
    page.select_option("#decide-form select[name=decision]", decision)
    page.fill("#decide-form input[name=note]", note)
    follow(page, "#decide-form button[type=submit]")


def test_the_commune_proposes_and_the_district_declines_then_approves_a_commendation(
    page: Page, district: Page, camera: Camera
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    page.goto(REVIEW)
    expect(page.locator("table")).to_contain_text(EXITED)
    expect(page.locator("#decide-form")).to_have_count(0)  # the commune does not decide
    camera.shoot(page, "review")
    propose(page, "Hộ chăm chỉ làm ăn")
    expect(page.locator("table")).to_contain_text("Hộ chăm chỉ làm ăn")
    camera.shoot(page, "proposed")

    decide(district, "declined", "Chưa đủ hồ sơ")
    expect(district.locator("table")).to_contain_text("Chưa đủ hồ sơ")
    camera.shoot(district, "declined")

    propose(page, "Đã bổ sung hồ sơ")
    decide(district, "approved", "Đồng ý khen thưởng")
    expect(district.locator("table")).to_contain_text("Đồng ý khen thưởng")
    camera.shoot(district, "approved")
    follow(district, "#commendation-approved")
    expect(district.locator("table")).to_contain_text(EXITED)
    camera.shoot(district, "approved-table")
    assert camera.too_wide == {}


def test_a_policy_dialogue_is_recorded_and_its_follow_up_becomes_a_plan_item(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "tuyen@camlo.vn")
    page.goto("/organisations?area=19603")
    page.fill("#organisation-form input[name=name]", "Hội Phụ nữ xã")
    page.select_option("#organisation-form select[name=kind]", "womens_union")
    follow(page, "#organisation-form button[type=submit]")

    page.goto("/dialogues?area=19603&period=2026")
    camera.shoot(page, "dialogues-empty")
    attendee = page.locator("#dialogue-attendees option").first
    expect(attendee).to_contain_text("Hội Phụ nữ xã")
    organisation = attendee.get_attribute("value")
    page.fill("#dialogue-form input[name=held_on]", "2026-11-30")
    page.select_option("#dialogue-attendees", [organisation or ""])
    page.fill("#dialogue-form textarea[name=problems]", "Nhiều hộ chưa biết làm thẻ BHYT")
    page.fill(
        "#dialogue-form textarea[name=follow_ups]",
        f"1960301-002 | Hướng dẫn làm thẻ BHYT | {organisation} | 2027-03-31",
    )
    follow(page, "#dialogue-form button[type=submit]")
    expect(page.locator("table")).to_contain_text("Nhiều hộ chưa biết làm thẻ BHYT")
    camera.shoot(page, "dialogue-recorded")

    page.goto("/plans?area=19603&period=2026")
    expect(page.locator("table")).to_contain_text("Hướng dẫn làm thẻ BHYT")
    expect(page.locator("table")).to_contain_text("1960301-002")
    camera.shoot(page, "plan-with-follow-up")
    assert camera.too_wide == {}
