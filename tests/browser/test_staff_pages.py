"""The staff pages in a real browser (headless Chromium) against `rasoat serve`: what an officer
does by hand, each page saved as a screenshot at phone and desktop size
(test-artifacts/screenshots/), and no page wider than a 390 px phone."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import Form
from tests.integration.test_web_access import PASSWORD
from tests.support.browser import DESKTOP, PHONE, Camera, follow_menu
from tests.support.xlsforms import xlsform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def follow(page: Page, selector: str) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    follow(page, 'main button[type="submit"]')
    page.wait_for_url(re.compile(r"/$"))


def test_an_officer_signs_in_and_sees_the_key_numbers_of_their_area(
    page: Page, camera: Camera
) -> None:
    page.goto("/login")
    camera.shoot(page, "login")
    page.fill('input[name="email"]', "huyen@camlo.vn")
    page.fill('input[name="password"]', "không đúng")
    follow(page, 'main button[type="submit"]')
    expect(page.get_by_role("alert")).to_be_visible()
    camera.shoot(page, "login-wrong-password")

    sign_in(page, "huyen@camlo.vn")

    expect(page.locator("h1")).to_contain_text("Cam Lộ")
    expect(page.locator(".number").first).to_be_visible()
    expect(page.locator("header .menu-button")).to_be_visible()  # a phone: the menu is a button
    camera.shoot(page, "home")
    assert camera.too_wide == {}


def test_an_officer_opens_the_summary_table_and_downloads_it_as_a_workbook(
    page: Page, camera: Camera, tmp_path: Path
) -> None:
    sign_in(page, "huyen@camlo.vn")
    follow_menu(page, "/reports/summary")
    expect(page.locator("table tbody tr").first).to_be_visible()
    camera.shoot(page)
    shown = page.locator("table tbody tr td:first-child").all_inner_texts()

    with page.expect_download() as download:
        page.click('.downloads a[href*="format=xlsx"]')
    name = download.value.suggested_filename
    path = tmp_path / name
    download.value.save_as(path)

    assert name.endswith(".xlsx"), name
    book = load_workbook(path, read_only=True)
    cells = {str(value) for row in book.worksheets[0].iter_rows(values_only=True) for value in row}
    communes = [name.strip() for name in shown if name.strip()]
    assert communes, "the page shows the table's rows"
    assert set(communes) <= cells, "every row on the page is in the workbook"
    assert camera.too_wide == {}


def test_an_officer_creates_a_phone_and_sees_its_qr_code(page: Page, camera: Camera) -> None:
    sign_in(page, "tuyen@camlo.vn")
    follow_menu(page, "/phones")
    camera.shoot(page)
    page.fill('input[name="name"]', "Cán bộ thôn Bản Chùa")
    page.select_option('select[name="area"]', "1960301")  # a village of the officer's commune
    page.check('input[name="forms"][value="household_survey"]')
    follow(page, 'main form.card button[type="submit"]')

    for handover in ("#for-collect", "#for-browser"):  # ODK Collect, and the browser link
        qr = page.locator(f'{handover} .qr img[src^="data:image/svg+xml"]')
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code draws"
    expect(page.locator("#for-collect code")).to_contain_text("/v1/key/")
    expect(page.locator("#for-browser h2")).to_contain_text("trình duyệt")
    browser_link = page.locator("#for-browser code").inner_text()
    camera.shoot(page, "phone-ready")
    assert page.request.get(browser_link).status == 200, "the browser link opens the web form"
    follow_menu(page, "/phones")
    listed = page.locator("tbody tr", has_text="Cán bộ thôn Bản Chùa")
    expect(listed).to_contain_text("Thôn Bản Chùa")
    assert camera.too_wide == {}


def test_an_administrator_is_shown_the_sheet_and_row_of_a_broken_form_then_publishes_one(
    page: Page, camera: Camera, session: Session
) -> None:
    sign_in(page, "admin@tinh.vn")
    page.goto("/forms")
    camera.shoot(page)
    upload = 'form:has(input[name="xlsform"])'
    broken = xlsform(
        [["type", "name", "label"], ["text", "ten_ho", "Tên chủ hộ"], ["text", "ten_ho", "Lại"]],
        form_id="ho_moi",
    )
    page.set_input_files(
        'input[name="xlsform"]', {"name": "ho_moi.xlsx", "mimeType": XLSX, "buffer": broken}
    )
    follow(page, f'{upload} [type="submit"]')

    text = page.locator("main").inner_text()
    assert re.search(r"survey[^\n]*\b3\b|\b3\b[^\n]*survey", text), text[:1000]
    camera.shoot(page, "forms-upload-error")

    good = xlsform(
        [["type", "name", "label"], ["text", "ten_ho", "Tên chủ hộ"], ["integer", "so", "Số"]],
        form_id="ho_moi",
        title="Hộ mới",
    )
    page.set_input_files(
        'input[name="xlsform"]', {"name": "ho_moi.xlsx", "mimeType": XLSX, "buffer": good}
    )
    follow(page, f'{upload} [type="submit"]')
    camera.shoot(page, "forms-uploaded")
    follow(page, 'button[name="action"][value="publish"]')
    camera.shoot(page, "forms-published")

    session.rollback()
    form = session.scalars(select(Form).where(Form.xml_form_id == "ho_moi")).one()
    assert form.published_version_id is not None
    expect(page.locator("main")).to_contain_text("ho_moi")
    assert camera.too_wide == {}


def test_no_page_in_the_menu_scrolls_sideways_on_a_390_px_phone(page: Page, camera: Camera) -> None:
    for path in ("/", "/login"):
        page.goto(path)
        camera.shoot(page, f"signed-out-{path.strip('/') or 'landing'}")
    for email in ("admin@tinh.vn", "tuyen@camlo.vn"):  # every menu item, then a commune's data
        sign_in(page, email)
        links = page.locator("header nav a").evaluate_all(
            "all => all.map(a => a.pathname + a.search)"
        )
        assert len(links) >= 4, links
        for path in links:
            page.goto(path)
            camera.shoot(page, f"{email.split('@')[0]}-{path.strip('/') or 'home'}")
        page.context.clear_cookies()

    assert camera.too_wide == {}


def test_on_a_phone_the_menu_is_one_button_and_wide_tables_say_they_scroll(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "huyen@camlo.vn")
    menu, nav = page.locator("header .menu-button"), page.locator("header nav")

    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    header_height = page.locator("header").bounding_box()
    assert header_height is not None and header_height["height"] < 110, header_height
    camera.shoot(page, "menu-closed")
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    camera.shoot(page, "menu-open")
    follow_menu(page, "/reports/summary")

    # The summary is wider than a phone: its box says so, and the first column stays in view.
    hint = page.locator("p.scroll-hint").first
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("vuốt ngang")
    first_cell = page.locator(".scroll table tbody tr td:first-child").first
    before = first_cell.bounding_box()
    page.locator(".scroll").first.evaluate("box => { box.scrollLeft = 400; }")
    after = first_cell.bounding_box()
    assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1
    camera.shoot(page, "summary-scrolled")

    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(nav).to_be_visible()
    page.set_viewport_size(PHONE)
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"
    assert page.request.get("/static/favicon.svg").ok
    assert camera.too_wide == {}


def test_an_officer_s_web_form_pages_carry_the_site_menu(page: Page, camera: Camera) -> None:
    sign_in(page, "tuyen@camlo.vn")
    follow_menu(page, "/f/staff")
    expect(page.locator("header .menu-button")).to_be_visible()
    expect(page.locator('header nav a[href="/reports/summary"]')).to_have_count(1)
    camera.shoot(page, "web-form-list")


def test_the_summary_prints_on_a4_landscape_with_the_signature_block(
    page: Page, camera: Camera
) -> None:
    sign_in(page, "huyen@camlo.vn")
    page.goto("/reports/summary?area=468&period=2026")
    expect(page.locator(".downloads [data-print]")).to_be_visible()  # "In hoặc lưu PDF"
    expect(page.locator(".signatures")).to_be_hidden()  # on the screen: no signature block

    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator(".pickers")).to_be_hidden()
    signatures = page.locator(".signatures")
    expect(signatures).to_be_visible()
    expect(signatures).to_contain_text("Cam Lộ, ngày …… tháng …… năm ……")
    expect(signatures).to_contain_text("NGƯỜI LẬP BIỂU")
    expect(signatures).to_contain_text("THỦ TRƯỞNG ĐƠN VỊ")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    camera.folder.mkdir(parents=True, exist_ok=True)
    (camera.folder / "summary.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    page.screenshot(path=camera.folder / "summary-print.png", full_page=True)

    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "the PDF names its page size"
    width, height = (float(v) for v in boxes[0])
    assert (round(width), round(height)) == (842, 595), "A4 landscape in points"
