"""The web form in a real browser (headless Chromium at 390×844, like a cadre's phone) against
`rasoat serve`: ODK's own engine fills the household survey; records go through the IndexedDB
outbox to the OpenRosa submission endpoint, also after a day offline with the tab closed."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import FormState
from server.formats.instance import local_name
from server.services.forms import set_form_state
from server.storage.models import AppUser, Submission, SubmissionVersion
from tests.integration.test_web_access import PASSWORD
from tests.support.browser import PHONE, within_the_security_policy
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.web_form import (
    SEND,
    Household,
    choose,
    errors_banner,
    fill_household,
    make_commune_officer,
    question,
    require_bundle,
    screenshot,
    send,
    type_text,
)

pytestmark = pytest.mark.e2e
SURVEY = REPO_ROOT / "forms" / "household_survey.xlsx"


@pytest.fixture
def form_url(app: Flask, session: Session, live_server: LiveServer) -> str:
    """The household survey's web form link of a village cadre of Xã Cam Tuyền."""
    require_bundle()
    make_areas(session)
    publish_form(app, session, SURVEY.read_bytes(), filename=SURVEY.name)
    cadre = make_app_user(session, name="Cán bộ thôn Bản Chùa", area_code="19603")
    return f"{live_server.base_url}/f/{cadre.token}/household_survey"


@pytest.fixture
def phone(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    with within_the_security_policy(context):
        yield context
    context.close()


@pytest.fixture
def pictures(screenshot_folder: Path) -> Path:
    return screenshot_folder / "web_form"


def open_form(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".form-initialization-status.ready", state="attached")
    page.wait_for_selector("body[data-ready=yes]")
    return page


def stored_households(session: Session) -> Counter[str]:
    """How many times each household code was stored (a record sent twice would count 2)."""
    session.rollback()
    counts: Counter[str] = Counter()
    for xml in session.scalars(select(SubmissionVersion.xml)):
        codes = [e.text for e in ET.fromstring(xml).iter() if local_name(e.tag) == "household_code"]
        counts.update(c for c in codes if c)
    return counts


def fill_and_send(page: Page, session: Session, household: Household) -> None:
    fill_household(page, household)
    send(page)
    expect(page.locator("#outbox-list li[data-status=sent]")).to_have_count(1)
    assert stored_households(session) == {household.code: 1}


def records(page: Page, status: str) -> list[str]:
    labels: list[str] = page.locator(
        f"#outbox-list li[data-status={status}] .record-label"
    ).all_inner_texts()
    return labels


def test_a_cadre_fills_the_household_survey_and_sends_it_online(
    phone: BrowserContext, form_url: str, session: Session, pictures: Path
) -> None:
    elsewhere: list[str] = []
    phone.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1")
            else (elsewhere.append(route.request.url), route.abort())
        ),
    )
    page = open_form(phone, form_url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    # Headless Chromium refuses persistent storage to a site never visited before: say so.
    assert page.evaluate("navigator.storage.persisted()") is False
    expect(page.locator("#storage-notice")).to_be_visible()
    screenshot(page, pictures, "01-form-blank")
    fill_household(page, Household("1960301-201", "Lê Văn Tám"))
    screenshot(page, pictures, "02-form-filled")

    send(page)

    expect(page.locator("#outbox-list li[data-status=sent]")).to_have_count(1)
    assert records(page, "sent") == ["1960301-201 Lê Văn Tám"]
    screenshot(page, pictures, "03-queue-sent", element="#outbox")
    assert stored_households(session) == {"1960301-201": 1}
    assert elsewhere == [], "the web form loads nothing from another site"


def test_records_filled_offline_survive_a_closed_tab_and_are_stored_once_when_back_online(
    phone: BrowserContext, form_url: str, session: Session, pictures: Path
) -> None:
    first_visit = open_form(phone, form_url)
    first_visit.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)
    page = first_visit
    page.reload()  # the page, the engine, the form and the village lists come from the device
    page.wait_for_selector("body[data-ready=yes]")
    expect(page.locator("#connection")).to_have_class("offline")

    for code, head in (("1960301-301", "Hồ Thị Một"), ("1960301-302", "Hồ Văn Hai")):
        page.wait_for_selector(".form-initialization-status.ready", state="attached")
        fill_household(page, Household(code, head))
        send(page)
        expect(
            page.locator(f"#outbox-list li[data-status=waiting]:has-text('{code}')")
        ).to_be_visible()
    screenshot(page, pictures, "04-queue-offline-waiting", element="#outbox")
    page.close()

    page = open_form(phone, form_url)  # still offline: the tab was closed and opened again
    assert sorted(records(page, "waiting")) == ["1960301-301 Hồ Thị Một", "1960301-302 Hồ Văn Hai"]
    assert stored_households(session) == {}

    phone.set_offline(False)  # the browser's "online" event starts the sending by itself

    expect(page.locator("#outbox-list li[data-status=sent]")).to_have_count(2, timeout=30_000)
    screenshot(page, pictures, "05-queue-sent-after-reconnecting", element="#outbox")
    assert stored_households(session) == {"1960301-301": 1, "1960301-302": 1}

    # A record sent again (an answer lost on the way) is acknowledged and still stored once.
    page.evaluate(
        """async () => {
          const db = await new Promise((ok) => { const r = indexedDB.open('rasoat-webform');
                                                   r.onsuccess = () => ok(r.result); });
          const tx = db.transaction('outbox', 'readwrite');
          const store = tx.objectStore('outbox');
          store.getAll().onsuccess = (e) => e.target.result.forEach(
            (r) => store.put({ ...r, status: 'waiting' }));
          await new Promise((ok) => { tx.oncomplete = ok; });
        }"""
    )
    page.reload()  # opening the page sends what waits
    expect(page.locator("#outbox-list li[data-status=sent]")).to_have_count(2)
    assert stored_households(session) == {"1960301-301": 1, "1960301-302": 1}


def test_a_constraint_violation_blocks_sending_with_the_forms_message(
    phone: BrowserContext, form_url: str, session: Session, pictures: Path
) -> None:
    page = open_form(phone, form_url)
    fill_household(page, Household("1960301-401", "Trần Văn Bốn", non_durable_parts=7))

    send(page)

    expect(page.get_by_text(errors_banner(1), exact=True)).to_be_visible()
    expect(page.get_by_text("Nhập từ 0 đến 3.").first).to_be_visible()
    page.wait_for_timeout(600)  # the error banner fades in
    screenshot(page, pictures, "06-form-constraint-banner")
    page.get_by_text("Nhập từ 0 đến 3.").first.scroll_into_view_if_needed()
    screenshot(page, pictures, "07-form-constraint-message")
    expect(page.locator("#outbox-list li")).to_have_count(0)
    assert stored_households(session) == {}


def test_the_web_forms_own_texts_are_vietnamese_on_a_vietnamese_page(
    phone: BrowserContext, form_url: str, session: Session, pictures: Path
) -> None:
    page = open_form(phone, form_url)
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.get_by_role("button", name=SEND, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send", exact=True)).to_have_count(0)
    page.get_by_role("button", name=SEND, exact=True).scroll_into_view_if_needed()
    screenshot(page, pictures, "08-form-vietnamese-send-button")

    send(page)  # nothing answered: the engine's own "required" message, in Vietnamese
    expect(page.get_by_text("Câu hỏi này bắt buộc phải trả lời.").first).to_be_visible()
    expect(page.get_by_text("Condition not satisfied: required")).to_have_count(0)
    page.wait_for_timeout(600)  # the error banner fades in
    screenshot(page, pictures, "09-form-vietnamese-required")

    fill_household(page, Household("1960301-402", "Trần Văn Năm", non_durable_parts=7))
    send(page)
    expect(page.get_by_text(errors_banner(1), exact=True)).to_be_visible()
    expect(page.get_by_text("Nhập từ 0 đến 3.").first).to_be_visible()
    expect(page.get_by_text("question with error")).to_have_count(0)
    page.wait_for_timeout(600)
    screenshot(page, pictures, "10-form-vietnamese-constraint-banner")
    page.get_by_text("Nhập từ 0 đến 3.").first.scroll_into_view_if_needed()
    screenshot(page, pictures, "11-form-vietnamese-constraint-message")
    expect(page.get_by_role("button", name="Lấy vị trí")).to_be_visible()
    assert stored_households(session) == {}


def test_the_web_forms_own_texts_stay_english_on_an_english_page(
    phone: BrowserContext, form_url: str
) -> None:
    page = open_form(phone, f"{form_url}?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Condition not satisfied: required").first).to_be_visible()


def test_the_result_note_waits_for_answers_then_shows_one_fact_a_line_with_grouped_incomes(
    phone: BrowserContext, form_url: str, pictures: Path
) -> None:
    page = open_form(phone, form_url)
    expect(question(page, "Mã hộ")).to_contain_text("Ví dụ: 1960301-012")
    pending = page.get_by_text("Kết quả tạm tính hiện ở đây khi đã nhập")
    expect(pending).to_be_visible()
    expect(page.get_by_text("Phân loại tạm:")).to_have_count(0)

    fill_household(page, Household("1960301-403", "Trần Văn Sáu"))
    expect(pending).to_have_count(0)
    note = page.locator(".question-container", has=page.get_by_text("Kết quả tạm tính"))
    expect(note).to_contain_text("Thu nhập của hộ: 9.000.000 đồng/tháng.")
    expect(note).to_contain_text("Thu nhập bình quân: 9.000.000 đồng/người/tháng")
    lines = [
        line.strip() for line in note.first.inner_text().splitlines() if line.strip()
    ]
    assert any(line.startswith("Phân loại tạm:") for line in lines), lines
    assert all(line.count(":") <= 1 for line in lines), lines  # no two facts run together
    note.first.scroll_into_view_if_needed()
    screenshot(page, pictures, "12-form-result-note")


def test_a_record_the_server_refuses_shows_the_servers_reason(
    phone: BrowserContext, form_url: str, session: Session, pictures: Path
) -> None:
    page = open_form(phone, form_url)
    fill_household(page, Household("1960301-501", "Phan Văn Năm"))
    set_form_state(session, 1, "household_survey", FormState.CLOSED)
    session.commit()

    send(page)

    rejected = page.locator("#outbox-list li[data-status=rejected]")
    expect(rejected).to_have_count(1)
    expect(rejected.locator(".record-message")).to_contain_text(
        "household_survey đã đóng, không nhận thêm phiếu"
    )
    screenshot(page, pictures, "08-queue-rejected", element="#outbox")
    assert stored_households(session) == {}


def test_a_half_filled_record_survives_closing_the_tab(
    phone: BrowserContext, form_url: str, session: Session
) -> None:
    page = open_form(phone, form_url)
    type_text(page, "Mã hộ", "1960301-601")
    typed = page.evaluate("Date.now()")
    choose(page, "Dân tộc của chủ hộ", "Kinh")
    wait_for_draft_saved_after(page, typed)  # any save from now on holds the code typed above
    expect(page.locator("#draft-saved")).to_be_visible()
    page.close()

    page = open_form(phone, form_url)

    expect(page.locator("#draft-notice")).to_be_visible()
    expect(question(page, "Mã hộ").locator("input")).to_have_value("1960301-601")
    fill_and_send(page, session, Household("1960301-601", "Đinh Văn Sáu"))
    session.rollback()
    [xml] = session.scalars(select(SubmissionVersion.xml))
    assert b"deprecatedID" not in xml, "a draft is a new record, not an edit of a sent one"


def test_a_signed_in_officer_fills_a_record_that_carries_their_name(
    phone: BrowserContext, form_url: str, session: Session, live_server: LiveServer
) -> None:
    officer = make_commune_officer(session, password=PASSWORD)
    page = phone.new_page()
    page.goto(f"{live_server.base_url}/f/staff/household_survey")  # sign-in first
    page.fill('input[name="email"]', "tuyen@camlo.vn")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main button[type="submit"]')
    page.wait_for_selector(".form-initialization-status.ready", state="attached")

    fill_household(page, Household("1960301-701", "Võ Văn Bảy"))
    send(page)

    expect(page.locator("#outbox-list li[data-status=sent]")).to_have_count(1)
    session.rollback()
    [submission] = session.scalars(select(Submission))
    app_user = session.get(AppUser, submission.app_user_id)
    assert app_user is not None
    assert (app_user.login, app_user.display_name) == (f"web.{officer.id}", officer.display_name)


def test_a_draft_of_an_earlier_form_version_gives_way_to_a_blank_record(
    phone: BrowserContext, form_url: str, app: Flask, session: Session
) -> None:
    page = open_form(phone, form_url)
    started = page.evaluate("Date.now()")
    type_text(page, "Mã hộ", "1960301-801")
    wait_for_draft_saved_after(page, started)
    page.close()
    publish_form(app, session, with_version(SURVEY.read_bytes(), "2099010101"))

    page = open_form(phone, form_url)

    expect(page.locator("#old-draft-notice")).to_be_visible()
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(question(page, "Mã hộ").locator("input")).to_have_value("")
    fill_and_send(page, session, Household("1960301-801", "Mai Văn Tám"))


def wait_for_draft_saved_after(page: Page, moment: float) -> None:
    """Drafts are saved about a second after a change, and the page says when: wait for a
    save later than `moment` (Date.now() in the page) rather than for a fixed time."""
    # A function, not an expression: Playwright evaluates an expression with eval, which the
    # page's Content-Security-Policy refuses.
    page.wait_for_function(
        "(moment) => Number(document.querySelector('#draft-saved')?.dataset.savedAt || 0) > moment",
        arg=moment,
        timeout=20_000,
    )


def with_version(xlsx: bytes, version: str) -> bytes:
    book = load_workbook(io.BytesIO(xlsx))
    settings = book["settings"]
    column = [c.value for c in settings[1]].index("version") + 1
    settings.cell(row=2, column=column, value=version)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_date_picker_names_its_months_and_days_in_vietnamese(
    phone: BrowserContext,
    app: Flask,
    session: Session,
    live_server: LiveServer,
    pictures: Path,
) -> None:
    require_bundle()
    make_areas(session)
    followup = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, followup.read_bytes(), filename=followup.name)
    cadre = make_app_user(session, name="Cán bộ thôn Bản Chùa", area_code="19603")
    page = open_form(phone, f"{live_server.base_url}/f/{cadre.token}/followup_visit")

    page.locator(".p-datepicker input").first.click()  # the visit date: PrimeVue's picker
    panel = page.locator(".p-datepicker-panel").first
    expect(panel).to_be_visible()
    shown = panel.inner_text()
    screenshot(page, pictures, "13-form-vietnamese-date-picker")
    assert "Tháng" in shown, shown  # the month, as "Tháng 12"
    assert {"T2", "T3", "CN"} <= set(shown.split()), shown  # the days of the week
    assert not {"Mo", "Tu", "Su", "January", "December"} & set(shown.split()), shown
